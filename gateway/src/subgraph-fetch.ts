import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** Errors of a kept-alive connection the subgraph closed as the request went out (no response at all). */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

function isStaleConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && STALE_CONNECTION_CODES.has(code);
}

/** A GraphQL query (not a mutation): safe to send again, it changes nothing. */
function isQuery(body: string | Buffer | undefined): boolean {
  if (!body) return false;
  try {
    const { query } = JSON.parse(body.toString()) as { query?: unknown };
    if (typeof query !== 'string') return false;
    const operation = query.replace(/^(\s|#[^\n]*\n)*/, '');
    return operation.startsWith('{') || /^query\b/.test(operation);
  } catch {
    return false;
  }
}

/**
 * Sends a subgraph query again, at most `retries` times, when it failed because the kept-alive
 * connection it went out on was being closed by the subgraph. A draining subgraph pod (rolling
 * update, pod deletion) closes its idle connections on SIGTERM; a request the gateway writes to one of
 * them at that moment gets "socket hang up" although the subgraph never saw it. Seen under load on a
 * real cluster (npm run test:cluster): a few of ~1,500 queries failed while products rolled. The
 * retry opens or takes another connection, which kube-proxy routes to a ready pod. Mutations are
 * never retried: whether one was applied cannot be known.
 */
export function retryStaleConnections(fetcher: Fetcher, retries = 2): Fetcher {
  return async (url, init) => {
    for (let attempt = 0; ; attempt++) {
      try {
        // Retries go out on a new connection of their own (make-fetch-happen's `agent: false`), not
        // on another pooled one: those may be closing too, as a draining pod closes all of its idle
        // connections at once. kube-proxy routes a new connection to a ready pod only.
        return await fetcher(url, attempt === 0 ? init : ({ ...init, agent: false } as Parameters<Fetcher>[1]));
      } catch (error) {
        if (attempt >= retries || !isStaleConnection(error) || !isQuery(init?.body)) throw error;
      }
    }
  };
}
