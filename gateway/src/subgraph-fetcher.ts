import http from 'node:http';
import https from 'node:https';
import { parse } from 'graphql';
import { isQuery } from './operation.js';

// HTTP to the subgraphs, below GraphQL: a keep-alive connection pool with a deadline and a size cap
// (createSubgraphFetcher), and the retry of queries whose pooled connection was being closed
// (retryStaleConnections). What goes into a request is subgraph-data-source.ts's job.

export interface SubgraphFetcherOptions {
  /** Upper bound on open sockets per subgraph origin; further requests queue in the agent. */
  maxSocketsPerSubgraph: number;
  /** How long one subgraph request may take, from sending to the last byte of the body. */
  timeoutMs: number;
  /** Idle keep-alive sockets are closed after this long (below the subgraphs' own keep-alive timeout). */
  keepAliveMs: number;
  /** Largest response body accepted from a subgraph. */
  maxResponseBytes: number;
}

/** A subgraph's answer, read in full. */
export interface SubgraphResponse {
  url: string;
  status: number;
  statusText: string;
  /** Response headers, names lower-cased. */
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SubgraphRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
  /** On a new connection of its own, closed afterwards, instead of a pooled keep-alive one. */
  freshConnection?: boolean;
}

class SubgraphFetchError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'SubgraphFetchError';
  }
}

export interface SubgraphFetcher {
  fetch(url: string, request: SubgraphRequest): Promise<SubgraphResponse>;
  /** Closes idle keep-alive sockets (on shutdown). */
  close(): void;
}

/**
 * A keep-alive `node:http` fetcher for `RemoteGraphQLDataSource`. `@apollo/gateway`'s default is
 * make-fetch-happen, an HTTP-caching client built for npm: per request it builds cache policy objects
 * and streams through several layers, which measured at about half the gateway's CPU per request on a
 * cheap subgraph. Subgraph calls need none of that: one agent per origin with a bounded socket pool,
 * a deadline, and the body read into one string.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): SubgraphFetcher {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 1_000,
    maxSockets: options.maxSocketsPerSubgraph,
    maxFreeSockets: options.maxSocketsPerSubgraph,
    timeout: options.keepAliveMs,
    scheduling: 'lifo' as const,
  };
  const agents = new Map<string, http.Agent>();
  const agentFor = (url: URL): http.Agent => {
    let agent = agents.get(url.origin);
    if (!agent) {
      agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
      agents.set(url.origin, agent);
    }
    return agent;
  };

  const fetch = (input: string, init: SubgraphRequest): Promise<SubgraphResponse> =>
    new Promise<SubgraphResponse>((resolve, reject) => {
      const url = new URL(input);
      const headers: Record<string, string | number> = { ...init.headers, 'content-length': Buffer.byteLength(init.body) };
      const client = url.protocol === 'https:' ? https : http;
      const agent = init.freshConnection ? false : agentFor(url);
      const req = client.request(url, { method: init.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            req.destroy(new SubgraphFetchError(`subgraph response larger than ${options.maxResponseBytes} bytes`, input));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({
            url: input,
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: text,
          });
        });
        res.on('error', reject);
      });
      // One deadline for the whole exchange (connect, send, wait, read), unlike the socket idle timeout.
      const timer = setTimeout(() => {
        req.destroy(new SubgraphFetchError(`subgraph request timed out after ${options.timeoutMs} ms`, input));
      }, options.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(init.body);
    });

  return {
    fetch,
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

/** Errors of a kept-alive connection the subgraph closed as the request went out (no response at all). */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

function isStaleConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && STALE_CONNECTION_CODES.has(code);
}

/** Whether the request's operation is a query: safe to send again, it changes nothing. */
function sendsQuery(body: string): boolean {
  try {
    const { query, operationName } = JSON.parse(body) as { query?: unknown; operationName?: unknown };
    return typeof query === 'string' && isQuery(parse(query), typeof operationName === 'string' ? operationName : undefined);
  } catch {
    return false;
  }
}

/**
 * Sends a subgraph query again, at most `retries` times, when it failed because the kept-alive
 * connection it went out on was being closed by the subgraph. A draining subgraph pod (rolling
 * update, pod deletion) closes its idle connections on SIGTERM; a request the gateway writes to one of
 * them at that moment gets "socket hang up" although the subgraph never saw it. Seen under load on a
 * real cluster (npm run test:cluster) with the earlier make-fetch-happen fetcher: a few of ~1,500 queries failed while products rolled. The
 * retry opens or takes another connection, which kube-proxy routes to a ready pod. Mutations are
 * never retried: whether one was applied cannot be known.
 */
export function retryStaleConnections(fetch: SubgraphFetcher['fetch'], retries = 2): SubgraphFetcher['fetch'] {
  return async (url, init) => {
    for (let attempt = 0; ; attempt++) {
      try {
        // Retries go out on a new connection of their own, not on another pooled one: those may be
        // closing too, as a draining pod closes all of its idle connections at once. kube-proxy
        // routes a new connection to a ready pod only.
        return await fetch(url, attempt === 0 ? init : { ...init, freshConnection: true });
      } catch (error) {
        if (attempt >= retries || !isStaleConnection(error) || !sendsQuery(init.body)) throw error;
      }
    }
  };
}
