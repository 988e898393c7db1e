import { generateGatewayKeyPair } from '@little-ecom/auth';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import { composeSupergraph } from '@little-ecom/supergraph';
import { createGatewayApp, loadGatewayConfig, type GatewayApp } from '../src/index.js';

/** What a subgraph's resolver failure says; it must reach the gateway's log, never the client. */
const SUBGRAPH_FAILURE = 'stock ledger unreachable: connect ECONNREFUSED 10.0.0.7:27017';

/**
 * A subgraph named `products`, as the federation audit names its own, on a loopback port that is not
 * the local products port (4001): `ping` answers, `broken` fails as an unexpected resolver error does.
 */
async function standInProducts() {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(body);
      const { query } = JSON.parse(body) as { query: string };
      const answer = query.includes('broken')
        ? {
            data: { broken: null },
            errors: [{ message: SUBGRAPH_FAILURE, path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          }
        : { data: { ping: 'pong' } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const sdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
  type Query { ping: String broken: String }
`;

describe('the gateway in front of a subgraph it does not ship with', () => {
  let subgraph: Awaited<ReturnType<typeof standInProducts>>;
  let app: GatewayApp;
  let running: RunningService;
  const logLines: string[] = [];

  beforeAll(async () => {
    subgraph = await standInProducts();
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'little-ecom-stand-in-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composeSupergraph([{ name: 'products', url: subgraph.url, sdl }]));
    // No PRODUCTS_URL: the URL the supergraph gives is the one to use.
    const config = loadGatewayConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: supergraphPath });
    const logger = createLogger({ service: 'gateway', level: 'debug', write: (line) => logLines.push(line) });
    app = createGatewayApp(config, { logger, subgraphKey: generateGatewayKeyPair().signingKey });
    running = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  });

  afterAll(async () => {
    await running?.stop(5_000);
    app?.close();
    await subgraph?.close();
  });

  const query = async (text: string) => {
    const res = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: text }),
    });
    return (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };

  it('sends a subgraph named products to the URL in the supergraph when PRODUCTS_URL is unset', async () => {
    const before = subgraph.seen.length;
    expect(await query('{ ping }')).toEqual({ data: { ping: 'pong' } });
    expect(subgraph.seen.length).toBe(before + 1);
  });

  it("masks a subgraph's unexpected error for the client and logs the subgraph's error whole", async () => {
    const answer = await query('{ broken }');
    expect(answer.errors).toEqual([expect.objectContaining({ message: 'Internal server error' })]);
    expect(answer.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(answer)).not.toContain('ECONNREFUSED');

    const line = logLines.find((l) => l.includes('unexpected error while executing a request'));
    expect(line).not.toContain('[object Object]');
    // Under Node the logged error is the subgraph's JSON error itself (@little-ecom/errors has the unit
    // test); under vitest @apollo/gateway and the formatter load different copies of graphql (CommonJS
    // and ESM), so it arrives as the gateway's GraphQLError. Either way the subgraph's message is kept.
    expect((JSON.parse(line!) as { err: unknown }).err).toMatchObject({ message: SUBGRAPH_FAILURE });
  });
});
