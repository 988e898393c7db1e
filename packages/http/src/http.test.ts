import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { apolloDefaults, startHttpServer, type RequestContext, type RunningHttpServer } from './index.js';

const typeDefs = `type Query { slow(ms: Int!): String! fail: String! }`;
// Resolved when a `slow` resolver starts, so a test knows its request is in flight (not just sent).
let slowStarted: () => void = () => undefined;
const resolvers = {
  Query: {
    slow: async (_: unknown, { ms }: { ms: number }) => {
      slowStarted();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'done';
    },
    fail: () => {
      throw new Error('connection string mongodb://user:secret@db leaked');
    },
  },
};

async function start(readyCheck?: () => Promise<void>): Promise<RunningHttpServer> {
  const apollo = new ApolloServer<RequestContext>({
    typeDefs,
    resolvers,
    ...apolloDefaults({
      production: true,
      logger: silentLogger,
      limits: { maxDepth: 10, maxAliases: 15, maxCost: 5_000, maxTokens: 2_000 },
    }),
  });
  return startHttpServer(
    {
      apollo,
      logger: silentLogger,
      context: async (info) => ({ scope: createScope({ requestId: info.requestId, logger: silentLogger }) }),
      readiness: readyCheck ? [{ name: 'dependency', check: readyCheck }] : [],
      bodyLimitBytes: 1_000,
    },
    { host: '127.0.0.1', port: 0 },
  );
}

const post = (server: RunningHttpServer, body: string) =>
  fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('startHttpServer', () => {
  let server: RunningHttpServer | undefined;
  afterEach(async () => {
    await server?.drain(100).catch(() => undefined);
    server = undefined;
  });

  it('finishes in-flight requests when draining, then refuses new connections', async () => {
    server = await start();
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const inFlight = post(server, JSON.stringify({ query: '{ slow(ms: 300) }' }));
    await started;
    const drained = server.drain(5_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { slow: 'done' } });
    await drained;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    server = undefined;
  });

  it('reports not ready when a dependency check fails', async () => {
    let healthy = true;
    server = await start(async () => {
      if (!healthy) throw new Error('database unreachable');
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    healthy = false;
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', checks: { dependency: 'database unreachable' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('masks unexpected errors and never leaks their message', async () => {
    server = await start();
    const res = await post(server, JSON.stringify({ query: '{ fail }' }));
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toMatchObject({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  });

  it('refuses oversized bodies with 413 and a code', async () => {
    server = await start();
    const res = await post(server, JSON.stringify({ query: `{ slow(ms: 1) }`, padding: 'x'.repeat(2_000) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers unknown paths with 404', async () => {
    server = await start();
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
