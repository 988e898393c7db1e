import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSubgraphFetcher, retryStaleConnections } from './subgraph-fetcher.js';

/**
 * A subgraph on loopback that hangs up on the first `dropFirst` requests without answering, as a
 * draining pod does with a kept-alive connection a request is written to as it closes; the gateway's
 * own keep-alive fetcher then reports "socket hang up" (ECONNRESET).
 */
let server: Server | undefined;
async function flakySubgraph(dropFirst: number) {
  const seen: string[] = [];
  const connectionHeaders: (string | undefined)[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(body);
      connectionHeaders.push(req.headers.connection);
      if (seen.length <= dropFirst) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { ok: true } }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen, connectionHeaders };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const post = (query: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query, variables: {} }),
});
const gatewayFetcher = () =>
  createSubgraphFetcher({ maxSocketsPerSubgraph: 4, timeoutMs: 5_000, keepAliveMs: 4_000, maxResponseBytes: 1024 * 1024 }).fetch;

describe('retryStaleConnections', () => {
  it('reproduces the failure without it: the hang-up reaches the gateway as ECONNRESET', async () => {
    const subgraph = await flakySubgraph(1);
    await expect(gatewayFetcher()(subgraph.url, post('query { ok }'))).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('sends a query again when its connection was hung up on, and returns the answer', async () => {
    const subgraph = await flakySubgraph(2);
    const fetcher = retryStaleConnections(gatewayFetcher());
    const res = await fetcher(subgraph.url, post('query Products($first: Int) { products(first: $first) { id } }'));
    expect(JSON.parse(res.body)).toEqual({ data: { ok: true } });
    expect(subgraph.seen).toHaveLength(3);
    // The first try on a pooled connection, the retries each on a new one of their own.
    expect(subgraph.connectionHeaders).toEqual(['keep-alive', 'close', 'close']);
  });

  it('gives up after the retries and reports the error', async () => {
    const subgraph = await flakySubgraph(5);
    await expect(retryStaleConnections(gatewayFetcher(), 2)(subgraph.url, post('{ ok }'))).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(subgraph.seen).toHaveLength(3);
  });

  it('never sends a mutation twice', async () => {
    const subgraph = await flakySubgraph(1);
    const fetcher = retryStaleConnections(gatewayFetcher());
    await expect(fetcher(subgraph.url, post('mutation { signUp { id } }'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(subgraph.seen).toHaveLength(1);
  });
});
