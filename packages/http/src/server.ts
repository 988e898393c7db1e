import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap } from '@apollo/server';
import { runInRequest } from '@little-ecom/scope';
import { activeTraceIds, counter, histogram, metricsHandler, traceServerRequest, tracingEnabled } from '@little-ecom/telemetry';
import { answerPreflight, applyCors } from './cors.js';
import { runChecks } from './readiness.js';
import { clientIp } from './client-ip.js';
import { BodyTooLargeError, mediaType, readBody, requestError, requestIdFrom, sendJson } from './request.js';
import type { HttpServerOptions, IncomingRequestInfo, RequestContext, RouteHandler, RunningHttpServer } from './types.js';

const JSON_MEDIA_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/**
 * Starts `apollo` and serves it over plain `node:http` with health endpoints, request ids, CORS, a body
 * limit and graceful draining (which stops it again); small enough to read in one sitting, with nothing
 * hidden in a framework.
 */
export async function startHttpServer<TContext extends RequestContext>(
  options: HttpServerOptions<TContext>,
  listen: { host: string; port: number },
): Promise<RunningHttpServer> {
  const { apollo, logger } = options;
  await apollo.start();
  const graphqlPaths = new Set(options.graphqlPaths ?? ['/graphql']);
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  const corsOrigins = options.corsOrigins ?? [];
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const routes: Record<string, RouteHandler> = {
    ...options.routes,
    ...(options.metrics ? { '/metrics': metricsHandler(options.metrics) } : {}),
  };
  const observe = options.metrics
    ? requestMetrics(options.metrics, new Set([...graphqlPaths, ...Object.keys(routes)]))
    : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    // The trace this request is part of, so a client (or a support ticket) can name it; see docs/observability.md.
    const trace = activeTraceIds();
    if (trace) res.setHeader('x-trace-id', trace.traceId);
    if (draining) res.setHeader('connection', 'close');
    // Origin-form targets only (`/path?query`); `//` would otherwise parse as a host, `http://x/` is for proxies.
    const target = req.url ?? '/';
    if (!target.startsWith('/') || !URL.canParse(`http://localhost${target}`))
      return requestError(res, 400, 'Malformed request target');
    const url = new URL(`http://localhost${target}`);
    const method = req.method ?? 'GET';

    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      const result = await runChecks(options.readiness ?? []);
      return sendJson(res, result.ok ? 200 : 503, { status: result.ok ? 'ready' : 'not ready', checks: result.checks });
    }
    const route = routes[url.pathname];
    if (route && (method === 'GET' || method === 'HEAD')) return route(req, res);
    if (!graphqlPaths.has(url.pathname)) return sendJson(res, 404, { error: 'not found' });

    // The body is read before the caller is checked: the gateway's signature covers it.
    let raw = '';
    if (method === 'POST') {
      try {
        raw = await readBody(req, bodyLimit);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          // The rest of the body is not read: the connection cannot carry another request.
          res.setHeader('connection', 'close');
          return requestError(res, 413, `Request body larger than ${bodyLimit} bytes`);
        }
        throw error;
      }
    }
    const caller = options.authorizeCaller?.({ headers: req.headers, requestId, method, target, body: raw });
    if (caller === null)
      return sendJson(res, 403, {
        errors: [{ message: 'Only the gateway may call this service', extensions: { code: 'FORBIDDEN' } }],
      });
    const corsAllowed = applyCors(req, res, corsOrigins);
    if (method === 'OPTIONS') return answerPreflight(res, corsAllowed);
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      return requestError(res, 405, `Method ${method} not allowed`);
    }

    let body: unknown;
    if (method === 'POST') {
      // GraphQL over HTTP: POST bodies are JSON. Media types compare case-insensitively and exactly (RFC 9110).
      if (!JSON_MEDIA_TYPES.has(mediaType(req.headers['content-type']))) {
        res.setHeader('accept-post', 'application/json');
        return requestError(res, 415, 'POST bodies must be application/json');
      }
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        return requestError(res, 400, 'Request body is not valid JSON');
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const info: IncomingRequestInfo = {
      headers: req.headers,
      requestId,
      clientIp: caller?.clientIp ?? clientIp(req, options.trustedProxyHops ?? 0),
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: () => options.context(info),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    const started = observe ? performance.now() : 0;
    res.on('close', () => {
      observe?.(req, res, started);
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    // Every log line written while serving the request carries its id (see @little-ecom/scope).
    const serve = () => runInRequest(requestIdFrom(req.headers), () => handle(req, res));
    traced(req, res, serve).catch((error: unknown) => {
      logger.error('unhandled error while serving a request', { err: error, path: req.url?.slice(0, 200) });
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
  // Longer than typical load-balancer idle timeouts, so they close idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = listen.host === '0.0.0.0' || listen.host === '::' ? 'localhost' : listen.host;

  return {
    server,
    port,
    url: `http://${shownHost}:${port}`,
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
      await apollo.stop();
    },
  };
}

/** Paths that are polled, not used: never traced (they would drown the real traffic). */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Runs `serve` in a SERVER span continuing the caller's `traceparent`, when this process traces. */
function traced(req: IncomingMessage, res: ServerResponse, serve: () => Promise<void>): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!tracingEnabled() || UNTRACED_PATHS.has(path)) return serve();
  const method = req.method ?? 'GET';
  const attributes = { 'http.request.method': method, 'url.path': path, 'server.port': req.socket.localPort ?? 0 };
  return traceServerRequest(req.headers, `${method} ${path}`, attributes, (finish) => {
    res.once('close', () => finish(res.statusCode));
    return serve();
  });
}

/** Requests and their latency by path (known paths only: anything else is `other`) and status class. */
function requestMetrics(metrics: NonNullable<HttpServerOptions<RequestContext>['metrics']>, paths: Set<string>) {
  const requests = counter(metrics, 'http_server_requests_total', 'HTTP requests served', ['method', 'path', 'status']);
  const duration = histogram(metrics, 'http_server_request_duration_seconds', 'HTTP request latency', ['path']);
  return (req: IncomingMessage, res: ServerResponse, started: number) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const path = paths.has(pathname) || pathname === '/healthz' || pathname === '/readyz' ? pathname : 'other';
    const method = ['GET', 'POST', 'HEAD', 'OPTIONS'].includes(req.method ?? '') ? req.method! : 'other';
    requests.inc({ method, path, status: `${Math.floor(res.statusCode / 100)}xx` });
    duration.observe({ path }, (performance.now() - started) / 1000);
  };
}
