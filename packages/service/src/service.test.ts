import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import type { RequestContext } from '@little-ecom/http';
import { serveApp, type ServiceApp } from './service.js';

function app(workerStop: () => Promise<void>, closed: string[]): ServiceApp {
  return {
    name: 'test',
    http: {
      apollo: new ApolloServer<RequestContext>({ typeDefs: 'type Query { ok: Boolean }', stopOnTerminationSignals: false }),
      context: async (info) => ({ scope: createScope({ requestId: info.requestId, logger: silentLogger }) }),
    },
    start: () => [
      {
        name: 'worker',
        stop: async () => {
          await workerStop();
          closed.push('worker');
        },
      },
    ],
  };
}

describe('serveApp', () => {
  it('stops HTTP, then workers, then resources, in that order', async () => {
    const closed: string[] = [];
    const running = await serveApp(
      app(async () => undefined, closed),
      {
        listen: { host: '127.0.0.1', port: 0 },
        logger: silentLogger,
        resources: [{ name: 'db', close: async () => void closed.push('db') }],
      },
    );
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    expect(await running.stop(5_000)).toEqual([]);
    expect(closed).toEqual(['worker', 'db']);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('keeps the whole stop within one deadline when a step hangs, and says which failed', async () => {
    const closed: string[] = [];
    const running = await serveApp(
      app(() => new Promise<void>(() => undefined), closed),
      {
        listen: { host: '127.0.0.1', port: 0 },
        logger: silentLogger,
        resources: [{ name: 'db', close: () => new Promise<void>(() => undefined) }],
      },
    );
    // Both steps hang forever: stop() returns at all only because the deadline cuts them off.
    const failed = await running.stop(600);
    expect(failed).toEqual(['worker', expect.stringMatching(/^db/)]);
  });
});
