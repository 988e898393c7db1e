import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { CommandStartedEvent } from 'mongodb';
import { loadAccountsConfig } from '@little-ecom/accounts/config';
import { createOrPromoteAdmin } from '@little-ecom/accounts/create-admin';
import { createArgon2Hasher } from '@little-ecom/accounts/password-hasher';
import { accountsIndexes, createServer as createAccountsServer } from '@little-ecom/accounts/server';
import { generateSigningJwk, importSigningKeys, type SigningKeys } from '@little-ecom/accounts/signing-keys';
import { USERS, createUserRepository } from '@little-ecom/accounts/users';
import { createAmqpConnection } from '@little-ecom/amqp';
import {
  GATEWAY_SIGNATURE_HEADER,
  createServiceVerifier,
  createTokenVerifier,
  decodeGatewayKey,
  gatewayCallers,
  generateGatewayKey,
  signGatewayRequest,
  type TokenVerifier,
} from '@little-ecom/auth';
import { startOutboxRelay } from '@little-ecom/events';
import { startHttpServer, type HttpServerOptions, type RequestContext, type RunningHttpServer } from '@little-ecom/http';
import { createLogger, type Logger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import { ensureNotificationIndexes, startNotificationsRuntime } from '@little-ecom/notifications/runtime';
import { createServer as createNotificationsServer } from '@little-ecom/notifications/server';
import { deleteTopology, topologyNames } from '@little-ecom/notifications/topology';
import { PRODUCTS, productIndexes, productRemovedWhenDrained } from '@little-ecom/products/catalog';
import { createServer as createProductsServer } from '@little-ecom/products/server';
import { createTestIssuer, freshDatabase, testEnv, type TestDatabase, type TestIssuer } from '@little-ecom/testing';
import { createGateway } from '../src/server.js';
import { composeSupergraph, readSubgraphSchemas, type SubgraphSdl } from '../src/supergraph.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * Which part of the system runs:
 * - `catalog`: products behind the gateway; tokens come from a throwaway test issuer.
 * - `accounts`: accounts and products; products verifies tokens against the accounts JWKS.
 * - `pipeline`: everything: accounts, products and notifications, both outbox relays, a private copy of
 *   the RabbitMQ topology on the real broker, and email through the shared Mailpit.
 */
export type StackMode = 'catalog' | 'accounts' | 'pipeline';

export interface StackOptions {
  mode?: StackMode;
  production?: boolean;
  limits?: Partial<{ maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number }>;
  corsOrigins?: string[];
  /** Rewrites a subgraph's SDL before composing the first supergraph (e.g. to test reloading). */
  editSdl?: (subgraph: SubgraphSdl) => string;
}

export interface Stack {
  gatewayUrl: string;
  /** The key the gateway signs subgraph requests with (for tests that act as the gateway). */
  subgraphKey: Buffer;
  /** Headers that make a direct subgraph request look like the gateway's (signed, with a request id). */
  asGateway(authorization?: string): Record<string, string>;
  gateway: RunningHttpServer;
  subgraphs: Record<string, RunningHttpServer>;
  /** In `catalog` mode: signs test access tokens that products accepts. */
  issuer: TestIssuer | undefined;
  /** In `accounts` and `pipeline` modes: the real accounts subgraph's state. */
  accounts: { db: TestDatabase; keys: SigningKeys; createAdmin(email: string, password: string): Promise<unknown> } | undefined;
  productsDb: TestDatabase;
  /** In `pipeline` mode: the notifications subgraph's database. */
  notificationsDb: TestDatabase | undefined;
  /** Every command the products subgraph sent to MongoDB, in order. */
  productsCommands: CommandStartedEvent[];
  /** JSON log records written by each service, by service name. */
  logs: Record<string, Record<string, unknown>[]>;
  supergraphPath: string;
  /** Composes the supergraph from the subgraphs as they are running now. */
  compose(editSdl?: (subgraph: SubgraphSdl) => string): string;
  close(): Promise<void>;
}

const LIMITS = { maxDepth: 10, maxAliases: 15, maxCost: 5_000, maxTokens: 2_000 };

/** A logger that keeps every record in memory, so tests can look at what a service logged. */
function capturingLogger(service: string, logs: Stack['logs']): Logger {
  logs[service] = [];
  return createLogger({
    service,
    level: 'debug',
    write: (line) => logs[service]!.push(JSON.parse(line) as Record<string, unknown>),
  });
}

/**
 * Starts the subgraphs and the gateway in this process, each on its own loopback port, talking real
 * HTTP to each other and to fresh databases; the supergraph is composed from the SDL files in the repo
 * with the URLs of the servers just started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const mode = options.mode ?? 'catalog';
  // What the GATEWAY_KEY Secret holds in production: the gateway signs, the subgraphs check.
  const subgraphKey = decodeGatewayKey(generateGatewayKey());
  const production = options.production ?? false;
  const logs: Stack['logs'] = {};
  const subgraphs: Record<string, RunningHttpServer> = {};
  const databases: TestDatabase[] = [];
  // Undone in reverse order by close().
  const teardown: (() => Promise<unknown>)[] = [async () => Promise.all(databases.map((db) => db.drop()))];
  const serve = async <C extends RequestContext>(name: string, server: HttpServerOptions<C>) => {
    subgraphs[name] = await startHttpServer(server, { host: '127.0.0.1', port: 0 });
    teardown.push(() => subgraphs[name]!.drain(1_000));
  };
  const database = async (name: string, monitorCommands = false) => {
    const db = await freshDatabase(name, { monitorCommands });
    databases.push(db);
    return db;
  };

  // Identity: a test issuer, or the real accounts subgraph and its JWKS.
  let issuer: TestIssuer | undefined;
  let accounts: Stack['accounts'];
  let verifier: TokenVerifier;
  let accountsDb: TestDatabase | undefined;
  if (mode === 'catalog') {
    issuer = await createTestIssuer();
    teardown.push(() => issuer!.close());
    verifier = createTokenVerifier(issuer.verifierOptions);
  } else {
    const config = loadAccountsConfig({ NODE_ENV: 'test' });
    const keys = await importSigningKeys([await generateSigningJwk()]);
    // Cheap hashing keeps the tests fast; the real parameters are tested in the accounts subgraph.
    const hasher = await createArgon2Hasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
    const db = await database('gw_accounts');
    accountsDb = db;
    await ensureIndexes(db.db, accountsIndexes);
    const logger = capturingLogger('accounts', logs);
    const server = createAccountsServer({ db: db.db, logger, production, keys, settings: config.auth, hasher });
    await serve('accounts', {
      apollo: server.apollo,
      context: server.context,
      routes: server.routes,
      logger,
      authorizeCaller: gatewayCallers(subgraphKey),
    });
    teardown.push(async () => server.revocations.stop());
    // As in production: JWKS and the revocation feed of ended sessions, both from accounts over HTTP.
    const service = createServiceVerifier(
      {
        jwksUrl: `${subgraphs['accounts']!.url}/.well-known/jwks.json`,
        revocationsUrl: `${subgraphs['accounts']!.url}/internal/revocations`,
        issuer: config.auth.tokens.issuer,
        audience: config.auth.tokens.audience,
        algorithms: ['ES256'],
      },
      logger,
    );
    teardown.push(async () => service.revocations.stop());
    verifier = service.verifier;
    accounts = {
      db,
      keys,
      createAdmin: (email, password) =>
        createOrPromoteAdmin({ users: createUserRepository(db.db), hasher }, { email, password }, 'gateway-test'),
    };
  }

  // Events: notifications first, so its queue exists before the relays publish.
  let relay: { connection: ReturnType<typeof createAmqpConnection>; exchange: string } | undefined;
  let notificationsDb: TestDatabase | undefined;
  if (mode === 'pipeline') {
    const logger = capturingLogger('notifications', logs);
    const topology = topologyNames(`test-${randomUUID().slice(0, 8)}.`);
    const connection = createAmqpConnection({ url: testEnv.amqpUrl, name: `gw-stack-${topology.queue}`, logger, minDelayMs: 50 });
    teardown.push(async () => {
      const admin = await amqp.connect(testEnv.amqpUrl);
      await deleteTopology(await admin.createChannel(), topology).catch(() => undefined);
      await admin.close();
    });
    teardown.push(() => connection.close());
    const db = await database('gw_notifications');
    notificationsDb = db;
    await ensureNotificationIndexes(db.db);
    const runtime = startNotificationsRuntime({
      db: db.db,
      connection,
      topology,
      logger,
      consumer: { prefetch: 10, maxRetries: 3, retryDelayMs: 100 },
      delivery: { concurrency: 5, maxAttempts: 4, retryBaseMs: 100, retryMaxDelayMs: 500, pollIntervalMs: 200 },
      mail: {
        smtpUrl: testEnv.smtpUrl,
        from: 'little-ecom <no-reply@test.little-ecom.local>',
        maxConnections: 2,
        storefrontUrl: 'http://shop.test',
      },
    });
    teardown.push(() => runtime.stop());
    const server = createNotificationsServer({
      db: db.db,
      verifier,
      logger,
      production,
      wakeDelivery: () => runtime.wakeDelivery(),
    });
    await serve('notifications', {
      apollo: server.apollo,
      context: server.context,
      logger,
      authorizeCaller: gatewayCallers(subgraphKey),
    });
    await connection.ready();
    relay = { connection, exchange: topology.exchange };
  }

  const productsCommands: CommandStartedEvent[] = [];
  const productsDb = await database('gw_products', true);
  productsDb.client.on('commandStarted', (event) => productsCommands.push(event));
  await ensureIndexes(productsDb.db, { [PRODUCTS]: productIndexes });
  const productsLogger = capturingLogger('products', logs);
  const products = createProductsServer({ db: productsDb.db, verifier, logger: productsLogger, production });
  await serve('products', {
    apollo: products.apollo,
    context: products.context,
    logger: productsLogger,
    authorizeCaller: gatewayCallers(subgraphKey),
  });

  if (relay) {
    const producers = [[productsDb, PRODUCTS, 'products']] as [TestDatabase, string, string][];
    if (accountsDb) producers.push([accountsDb, USERS, 'accounts']);
    for (const [db, collection, service] of producers) {
      const running = startOutboxRelay({
        db: db.db,
        collections: [collection],
        connection: relay.connection,
        logger: createLogger({ service, level: 'error' }),
        exchange: relay.exchange,
        pollIntervalMs: 200,
        removeWhenDrained: { [PRODUCTS]: productRemovedWhenDrained },
      });
      teardown.push(() => running.stop());
    }
  }

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
    limits: { ...LIMITS, ...options.limits },
    subgraphKey,
  });
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
  teardown.push(() => gateway.drain(1_000));

  return {
    gatewayUrl: `${gateway.url}/graphql`,
    subgraphKey,
    asGateway(authorization) {
      const requestId = randomUUID();
      return {
        'x-request-id': requestId,
        [GATEWAY_SIGNATURE_HEADER]: signGatewayRequest(subgraphKey, { requestId, clientIp: '127.0.0.1', authorization }),
        ...(authorization ? { authorization } : {}),
      };
    },
    gateway,
    subgraphs,
    issuer,
    accounts,
    productsDb,
    notificationsDb,
    productsCommands,
    logs,
    supergraphPath,
    compose,
    async close() {
      for (const step of teardown.reverse()) await step().catch(() => undefined);
    },
  };
}

/** Messages Mailpit received for one address (tests use unique addresses, so files don't interfere). */
export async function mailTo(address: string): Promise<{ ID: string; Subject: string }[]> {
  const response = await fetch(`${testEnv.mailpitApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  return ((await response.json()) as { messages: { ID: string; Subject: string }[] }).messages;
}
