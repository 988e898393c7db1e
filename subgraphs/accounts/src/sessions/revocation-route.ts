import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RevocationFeed } from '@little-ecom/auth';

export const REVOCATIONS_PATH = '/internal/revocations';

/**
 * GET /internal/revocations?since=<ISO 8601>: ids of sessions ended since then (at most one horizon
 * back), polled by every verifier twice a second. Session ids grant nothing by themselves (they are
 * in every access token of the session), so the list is not secret; it is small, since a session
 * drops out of it once its last access token has expired.
 */
export function revocationsRoute(feed: (since: Date | undefined) => Promise<RevocationFeed>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('since');
    const since = raw ? new Date(raw) : undefined;
    if (since && Number.isNaN(since.getTime())) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'since must be an ISO 8601 time' }));
      return;
    }
    const body = JSON.stringify(await feed(since));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
