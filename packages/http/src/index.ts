import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { createErrorFormatter } from '@little-ecom/errors';
import type { Logger } from '@little-ecom/logger';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { clientIp } from './client-ip.js';

export { clientIp } from './client-ip.js';

/** What every service's per-request context starts from. */
export interface RequestContext extends BaseContext {
  requestId: string;
  logger: Logger;
}

/** What a service learns about an HTTP request before building its GraphQL context. */
export interface IncomingRequestInfo {
  headers: http.IncomingHttpHeaders;
  requestId: string;
  /** The client's address: see `clientIp` (rightmost untrusted `X-Forwarded-For` entry). */
  clientIp: string;
}

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions<TContext extends RequestContext> {
  apollo: ApolloServer<TContext>;
  context: (info: IncomingRequestInfo) => Promise<TContext>;
  logger: Logger;
  /** Where GraphQL is served; the gateway also serves it on `/` so Sandbox opens there. */
  graphqlPaths?: string[];
  /** Extra GET routes, e.g. `/.well-known/jwks.json`. */
  routes?: Record<string, RouteHandler>;
  readiness?: ReadinessCheck[];
  /** Browser origins allowed to call; `*` allows any (development only). Empty: no CORS headers. */
  corsOrigins?: readonly string[];
  bodyLimitBytes?: number;
  /** How many proxies of ours stand in front (each appends to `X-Forwarded-For`); 0 trusts none. */
  trustedProxyHops?: number;
  /**
   * Subgraphs: who may send GraphQL (health and `routes` stay open). Returns the caller's client
   * address, or null to refuse with 403 FORBIDDEN. See `verifyGatewayRequest` in @little-ecom/auth.
   */
  authorizeCaller?: (headers: http.IncomingHttpHeaders, requestId: string) => { clientIp: string } | null;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stops accepting work, waits for in-flight requests (up to `timeoutMs`), then stops Apollo. */
  drain(timeoutMs: number): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a well-formed incoming `x-request-id`, otherwise makes one. */
export function requestIdFrom(headers: http.IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function requestError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || origins.length === 0) return false;
  const allowed = origins.includes('*') || origins.includes(origin);
  res.setHeader('vary', 'Origin');
  if (!allowed) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
  return true;
}

async function runChecks(checks: ReadinessCheck[]): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), 3_000);
          }),
        ]);
        results[name] = 'ok';
      } catch (error) {
        ok = false;
        results[name] = error instanceof Error ? error.message : 'failed';
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok, checks: results };
}

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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    if (draining) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';

    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      const result = await runChecks(options.readiness ?? []);
      return sendJson(res, result.ok ? 200 : 503, { status: result.ok ? 'ready' : 'not ready', checks: result.checks });
    }
    const route = options.routes?.[url.pathname];
    if (route && (method === 'GET' || method === 'HEAD')) return route(req, res);
    if (!graphqlPaths.has(url.pathname)) return sendJson(res, 404, { error: 'not found' });

    const caller = options.authorizeCaller?.(req.headers, requestId);
    if (caller === null)
      return sendJson(res, 403, {
        errors: [{ message: 'Only the gateway may call this service', extensions: { code: 'FORBIDDEN' } }],
      });
    const corsAllowed = applyCors(req, res, corsOrigins);
    if (method === 'OPTIONS') {
      if (corsAllowed) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader(
          'access-control-allow-headers',
          'content-type, authorization, x-request-id, apollo-require-preflight, x-apollo-operation-name',
        );
        res.setHeader('access-control-max-age', '600');
      }
      res.writeHead(204).end();
      return;
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      return requestError(res, 405, `Method ${method} not allowed`);
    }

    let body: unknown;
    if (method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req, bodyLimit);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return requestError(res, 413, `Request body larger than ${bodyLimit} bytes`);
        throw error;
      }
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json')) {
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          return requestError(res, 400, 'Request body is not valid JSON');
        }
      } else {
        body = raw;
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
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    handle(req, res).catch((error: unknown) => {
      logger.error('unhandled error while serving a request', { err: error, path: req.url });
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

/**
 * Logs one line per GraphQL operation: name, type, latency and error codes, tagged with the request id.
 * These are the fields the Kibana dashboards chart.
 */
export function requestLoggingPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors, response }) {
          const errorCodes = [
            ...new Set(
              (errors ?? []).map((e) => {
                const code = e.extensions?.['code'];
                return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
              }),
            ),
          ];
          if (response.body.kind === 'single') {
            for (const e of response.body.singleResult.errors ?? []) {
              const code = e.extensions?.['code'];
              if (typeof code === 'string' && !errorCodes.includes(code)) errorCodes.push(code);
            }
          }
          const fields = {
            operation: operationName ?? 'anonymous',
            operationType: operation?.operation ?? 'unknown',
            latencyMs: Math.round((performance.now() - started) * 100) / 100,
            ...(errorCodes.length > 0 ? { errorCodes, errorCode: errorCodes[0] } : {}),
          };
          if (errorCodes.some((c) => c === 'INTERNAL_SERVER_ERROR')) contextValue.logger.warn('graphql request', fields);
          else contextValue.logger.info('graphql request', fields);
        },
      };
    },
  };
}

export interface ApolloDefaultsOptions {
  production: boolean;
  logger: Logger;
}

/**
 * Settings every Apollo Server in little-ecom shares. Production hides the schema: no landing page,
 * no introspection, no "did you mean" suggestions, and no internals in errors.
 */
export function apolloDefaults<TContext extends RequestContext>({ production, logger }: ApolloDefaultsOptions) {
  return {
    introspection: !production,
    // Our own shutdown (@little-ecom/shutdown) drains HTTP first; Apollo's handler would stop the server
    // and re-raise the signal mid-drain, killing the process before connections are closed.
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError: createErrorFormatter(logger),
    logger: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    plugins: [
      requestLoggingPlugin<TContext>(),
      // Inline traces are for Apollo's hosted studio, which little-ecom does not use.
      ApolloServerPluginInlineTraceDisabled(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  };
}
