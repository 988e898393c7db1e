import { generateGatewayKeyPair } from '@little-ecom/auth';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import { storefrontOperations } from '../scripts/trusted-documents.js';
import { createGatewayApp, loadGatewayConfig, sha256, type GatewayApp } from '../src/index.js';
import { bundledSubgraphs } from '../src/subgraph-urls.js';

/** Every subgraph of the shipped supergraph, played by one server that records what reaches it. */
async function standInSubgraphs() {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

interface Answer {
  status: number;
  errors: { message: string; extensions?: { code?: string } }[];
}

describe("the storefront's operations in a gateway that accepts only trusted documents", () => {
  let subgraphs: Awaited<ReturnType<typeof standInSubgraphs>>;
  let app: GatewayApp;
  let running: RunningService;

  beforeAll(async () => {
    subgraphs = await standInSubgraphs();
    const supergraph = new URL('../supergraph.graphql', import.meta.url).pathname;
    const urls = Object.fromEntries(bundledSubgraphs(supergraph).map((s) => [s.urlEnv, subgraphs.url]));
    // The default manifest: gateway/trusted-documents.json, as the image ships it.
    const config = loadGatewayConfig({ NODE_ENV: 'test', PERSISTED_QUERIES: 'trusted', ...urls });
    const logger = createLogger({ service: 'gateway', level: 'error', write: () => undefined });
    app = createGatewayApp(config, { logger, subgraphKey: generateGatewayKeyPair().signingKey });
    running = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  });

  afterAll(async () => {
    await running?.stop(5_000);
    app?.close();
    await subgraphs?.close();
  });

  const post = async (body: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-session-transport': 'cookie' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { errors?: Answer['errors'] };
    return { status: res.status, errors: json.errors ?? [] };
  };

  const catalogOperations = async () => (await storefrontOperations()).filter((op) => op.name === 'Catalog');

  it('runs the catalog query the storefront sends, by its text and by its hash alone', async () => {
    const catalog = await catalogOperations();
    // The page client's text (urql added __typename) and the plain one are both registered.
    expect(catalog.map((op) => op.body.includes('__typename'))).toEqual(expect.arrayContaining([true]));
    for (const op of catalog) {
      const before = subgraphs.seen.length;
      const byText = await post({ query: op.body, operationName: 'Catalog', variables: { first: 12 } });
      expect(byText.errors.map((e) => e.extensions?.code)).not.toContain('PERSISTED_QUERY_NOT_IN_LIST');
      expect(byText.status).toBe(200);
      expect(subgraphs.seen.length).toBeGreaterThan(before);

      const byHash = await post({
        operationName: 'Catalog',
        variables: { first: 12 },
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(op.body) } },
      });
      expect(byHash.status).toBe(200);
      expect(byHash.errors.map((e) => e.extensions?.code)).not.toContain('PERSISTED_QUERY_NOT_IN_LIST');
    }
  });

  it('refuses an operation the storefront does not send, before any subgraph sees it', async () => {
    const [op] = await catalogOperations();
    const before = subgraphs.seen.length;
    // The storefront's catalog query with one more field is a different document.
    const edited = op!.body.replace('totalCount', 'totalCount\n  __typename');
    expect(edited).not.toBe(op!.body);
    const answer = await post({ query: edited, operationName: 'Catalog', variables: { first: 12 } });
    expect(answer.status).toBe(400);
    expect(answer.errors[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(subgraphs.seen.length).toBe(before);
  });
});
