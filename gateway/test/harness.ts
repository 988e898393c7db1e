import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandStartedEvent } from 'mongodb';
import { createTokenVerifier } from '@little-ecom/auth';
import { startHttpServer, type RunningHttpServer } from '@little-ecom/http';
import { createLogger, type Logger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import { PRODUCTS, productIndexes } from '@little-ecom/products/catalog';
import { createServer as createProductsServer } from '@little-ecom/products/server';
import { createTestIssuer, freshDatabase, type TestDatabase, type TestIssuer } from '@little-ecom/testing';
import { createGateway } from '../src/server.js';
import { composeSupergraph, readSubgraphSchemas, type SubgraphSdl } from '../src/supergraph.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface StackOptions {
  production?: boolean;
  limits?: Partial<{ maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number }>;
  corsOrigins?: string[];
  /** Rewrites a subgraph's SDL before composing the first supergraph (e.g. to test reloading). */
  editSdl?: (subgraph: SubgraphSdl) => string;
}

export interface Stack {
  gatewayUrl: string;
  gateway: RunningHttpServer;
  subgraphs: Record<string, RunningHttpServer>;
  issuer: TestIssuer;
  productsDb: TestDatabase;
  /** Every command the products subgraph sent to MongoDB, in order. */
  productsCommands: CommandStartedEvent[];
  /** JSON log records written by each service, by service name. */
  logs: Record<string, Record<string, unknown>[]>;
  supergraphPath: string;
  /** Composes the supergraph from the subgraphs as they are running now. */
  compose(editSdl?: (subgraph: SubgraphSdl) => string): string;
  close(): Promise<void>;
}

function capturingLogger(service: string, logs: Stack['logs']): Logger {
  logs[service] = [];
  return createLogger({ service, level: 'debug', write: (line) => logs[service]!.push(JSON.parse(line) as Record<string, unknown>) });
}

/**
 * Starts the subgraphs and the gateway in this process, each on its own loopback port, talking real
 * HTTP to each other and to a fresh database; the supergraph is composed from the SDL files in the
 * repo with the URLs of the servers just started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const production = options.production ?? false;
  const logs: Stack['logs'] = {};
  const issuer = await createTestIssuer();
  const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, algorithms: ['ES256'] });

  const productsCommands: CommandStartedEvent[] = [];
  const productsDb = await freshDatabase('gw_products', { monitorCommands: true });
  productsDb.client.on('commandStarted', (event) => productsCommands.push(event));
  await ensureIndexes(productsDb.db, { [PRODUCTS]: productIndexes });
  const productsLogger = capturingLogger('products', logs);
  const products = createProductsServer({ db: productsDb.db, verifier, logger: productsLogger, production });
  await products.apollo.start();
  const subgraphs: Record<string, RunningHttpServer> = {
    products: await startHttpServer(
      { apollo: products.apollo, context: products.context, logger: productsLogger, trustProxy: true },
      { host: '127.0.0.1', port: 0 },
    ),
  };

  const urls = Object.fromEntries(Object.entries(subgraphs).map(([name, server]) => [name, `${server.url}/graphql`]));
  const compose = (editSdl?: (subgraph: SubgraphSdl) => string) =>
    composeSupergraph(
      readSubgraphSchemas(repoRoot, urls)
        .filter((s) => s.name in subgraphs)
        .map((s) => ({ ...s, sdl: editSdl ? editSdl(s) : s.sdl })),
    );
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'little-ecom-supergraph-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, compose(options.editSdl));

  const gatewayLogger = capturingLogger('gateway', logs);
  const gw = createGateway({
    logger: gatewayLogger,
    production,
    supergraph: { path: supergraphPath, pollIntervalMs: 100 },
    subgraphUrls: {},
    limits: { maxDepth: 10, maxAliases: 15, maxCost: 5_000, maxTokens: 2_000, ...options.limits },
  });
  await gw.apollo.start();
  const gateway = await startHttpServer(
    {
      apollo: gw.apollo,
      context: gw.context,
      logger: gatewayLogger,
      readiness: gw.readiness,
      graphqlPaths: ['/', '/graphql'],
      corsOrigins: options.corsOrigins ?? (production ? [] : ['*']),
    },
    { host: '127.0.0.1', port: 0 },
  );

  return {
    gatewayUrl: `${gateway.url}/graphql`,
    gateway,
    subgraphs,
    issuer,
    productsDb,
    productsCommands,
    logs,
    supergraphPath,
    compose,
    async close() {
      await gateway.drain(1_000);
      for (const server of Object.values(subgraphs)) await server.drain(1_000);
      await productsDb.drop();
      await issuer.close();
    },
  };
}
