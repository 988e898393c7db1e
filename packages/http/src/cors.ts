import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Sets the CORS response headers for an allowed origin; `*` in `origins` allows any (development only).
 * Returns whether the origin is allowed.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || origins.length === 0) return false;
  const allowed = origins.includes('*') || origins.includes(origin);
  res.setHeader('vary', 'Origin');
  if (!allowed) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
  return true;
}

/** Answers a CORS preflight for the GraphQL endpoint. */
export function answerPreflight(res: ServerResponse, allowed: boolean): void {
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      'content-type, authorization, x-request-id, apollo-require-preflight, x-apollo-operation-name, x-session-transport',
    );
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204).end();
}
