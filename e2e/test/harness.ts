import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type CommandStartedEvent } from 'mongodb';
import { createAccountsApp, loadAccountsConfig, type AccountsApp } from '@little-ecom/accounts';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier, generateGatewayKeyPair } from '@little-ecom/auth';
import { createGatewayApp, loadGatewayConfig, type ResponseStore } from '@little-ecom/gateway';
import { topologyObjectNames } from '@little-ecom/events';
import { createLogger, type Logger } from '@little-ecom/logger';
import { tallyCommands } from '@little-ecom/mongo';
import { createNotificationsApp, loadNotificationsConfig } from '@little-ecom/notifications';
import { createOrdersApp, loadOrdersConfig } from '@little-ecom/orders';
import { createProductsApp, loadProductsConfig } from '@little-ecom/products';
import type { RequestContext } from '@little-ecom/http';
import { serveApp, type RunningService, type ServiceApp } from '@little-ecom/service';
import { composeSupergraph, readSubgraphSchemas, repoRoot, type SubgraphSdl } from '@little-ecom/supergraph';
import {
  createTestIssuer,
  deleteAmqpTopology,
  freshDatabase,
  signedAsGateway,
  testEnv,
  testSigningKeys,
  type TestDatabase,
  type TestIssuer,
} from '@little-ecom/testing';

export { repoRoot };

/**
 * Which part of the system runs:
 * - `catalog`: products behind the gateway; tokens come from a throwaway test issuer.
 * - `accounts`: accounts and products; products verifies tokens against the accounts JWKS.
 * - `pipeline`: everything: accounts, products and notifications, both outbox relays, a private copy of
 *   the RabbitMQ topology on the real broker, and email through the shared Mailpit.
 * - `orders`: `pipeline` plus the orders subgraph: its relay and consumer, and products' stock consumer,
 *   so the order saga runs over the broker.
 */
export type StackMode = 'catalog' | 'accounts' | 'pipeline' | 'orders';

export interface StackOptions {
  mode?: StackMode;
  production?: boolean;
  limits?: Partial<{ maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number }>;
  corsOrigins?: string[];
  /** Rewrites a subgraph's SDL before composing the first supergraph (e.g. to test reloading). */
  editSdl?: (subgraph: SubgraphSdl) => string;
  /** In the event modes: the broker (e.g. a private node a test stops); the shared one by default. */
  amqpUrl?: string;
  /** In `orders` mode: settings of the orders subgraph beyond the defaults (e.g. ORDER_MAX_OPEN_UNPAID). */
  orders?: { env?: Record<string, string> };
  /**
   * Subgraphs that serve any caller, not only the gateway's signed requests: for the benchmark that
   * runs other gateways (stock Apollo, Hive), which do not sign, against the same subgraphs.
   */
  trustAnyCaller?: boolean;
  /**
   * Gateway settings beyond the defaults: extra environment (e.g. PERSISTED_QUERIES), a response store,
   * and a signing key other than the subgraphs' (a key rotation gone wrong: every subgraph answers 403).
   */
  gateway?: { env?: Record<string, string>; responseStore?: ResponseStore; signingKey?: KeyObject };
}

export interface Stack {
  gatewayUrl: string;
  /** The private key the gateway signs subgraph requests with (what the GATEWAY_SIGNING_KEY Secret holds). */
  subgraphKey: KeyObject;
  /**
   * For `graphqlRequest` to the subgraph `audience`: headers that make the request look like the
   * gateway's (signed for exactly that body and subgraph, once, with a request id).
   */
  asGateway(audience: string, authorization?: string): (body: string) => Record<string, string>;
  gateway: RunningService;
  subgraphs: Record<string, RunningService>;
  /** In `catalog` mode: signs test access tokens that products accepts. */
  issuer: TestIssuer | undefined;
  /** In `accounts` and `pipeline` modes: the real accounts subgraph's state. */
  accounts:
    { db: TestDatabase; keys: AccountsApp['keys']; createAdmin(email: string, password: string): Promise<unknown> } | undefined;
  productsDb: TestDatabase;
  /** In `pipeline` and `orders` modes: the notifications subgraph's database. */
  notificationsDb: TestDatabase | undefined;
  /** The (prefixed) events exchange and the broker of the event modes. */
  events: { exchange: string; amqpUrl: string };
  /** In `orders` mode: the orders subgraph's database. */
  ordersDb: TestDatabase | undefined;
  /** Every command the products subgraph sent to MongoDB, in order. */
  productsCommands: CommandStartedEvent[];
  /** JSON log records written by each service, by service name. */
  logs: Record<string, Record<string, unknown>[]>;
  supergraphPath: string;
  /** The gateway's own counters (deduplicated subgraph fetches, response cache). */
  gatewayStats: ReturnType<typeof createGatewayApp>['stats'];
  /** Composes the supergraph from the subgraphs as they are running now. */
  compose(editSdl?: (subgraph: SubgraphSdl) => string): string;
  close(): Promise<void>;
}

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
 * Starts the subgraphs and the gateway in this process through their app factories, each on its own
 * loopback port, talking real HTTP to each other and to fresh databases; the supergraph is composed
 * from the SDL files in the repo with the URLs of the servers just started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const mode = options.mode ?? 'catalog';
  // What the GATEWAY_SIGNING_KEY and GATEWAY_PUBLIC_KEY Secrets hold in production: the gateway signs
  // with the private key, the subgraphs check with the public one.
  const { signingKey: subgraphKey, publicKey } = generateGatewayKeyPair();
  const events = mode === 'pipeline' || mode === 'orders';
  const amqpUrl = options.amqpUrl ?? testEnv.amqpUrl;
  const production = options.production ?? false;
  // What the subgraphs check callers with: the gateway's public key, or nothing at all.
  const callerKey = options.trustAnyCaller ? null : publicKey;
  const logs: Stack['logs'] = {};
  const subgraphs: Record<string, RunningService> = {};
  const databases: TestDatabase[] = [];
  // Undone in reverse order by close().
  const teardown: (() => Promise<unknown>)[] = [async () => Promise.all(databases.map((db) => db.drop()))];
  const serve = async <C extends RequestContext>(name: string, app: ServiceApp<C>, logger: Logger) => {
    subgraphs[name] = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
    teardown.push(() => subgraphs[name]!.stop(5_000));
  };
  // As connectMongo does in production: every command is counted against the request that sent it.
  const database = async (name: string) => {
    const db = await freshDatabase(name, { monitorCommands: true });
    tallyCommands(db.client);
    databases.push(db);
    return db;
  };
  // Production error handling where asked, without production's secrets and checks.
  const asProduction = <T extends { production: boolean }>(config: T): T => ({ ...config, production });

  // Events: one broker connection and a private, prefixed copy of the topology, deleted afterwards.
  const prefix = `test-${randomUUID().slice(0, 8)}.`;
  let connection: AmqpConnection | undefined;
  const eventEnv: Record<string, string> = { EVENTS_EXCHANGE: `${prefix}little-ecom.events`, OUTBOX_POLL_INTERVAL_MS: '200' };
  if (events) {
    const logger = capturingLogger('amqp', logs);
    connection = createAmqpConnection({ url: amqpUrl, name: `gw-stack-${prefix}`, logger, minDelayMs: 50 });
    teardown.push(() => connection!.close());
  }

  // Identity: a test issuer, or the real accounts subgraph and its JWKS.
  let issuer: TestIssuer | undefined;
  let accounts: Stack['accounts'];
  let jwksUrl: string | undefined;
  if (mode === 'catalog') {
    issuer = await createTestIssuer();
    teardown.push(() => issuer!.close());
  } else {
    const config = loadAccountsConfig({
      NODE_ENV: 'test',
      JWT_SIGNING_KEYS: await testSigningKeys(),
      // Cheap hashing keeps the tests fast; the real parameters are tested in the accounts subgraph.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
      // Suites sign up and log in many users from the one test address; the limits are tested in accounts.
      RATE_LIMIT_SIGN_UPS_PER_ADDRESS: '1000',
      RATE_LIMIT_LOG_INS_PER_ADDRESS: '1000',
      RATE_LIMIT_LOG_INS_PER_ACCOUNT: '1000',
      RATE_LIMIT_REFRESHES_PER_ADDRESS: '1000',
      RATE_LIMIT_REFRESHES_PER_ACCOUNT: '1000',
      RATE_LIMIT_RESETS_PER_ADDRESS: '1000',
      RATE_LIMIT_RESETS_PER_ACCOUNT: '1000',
      ...eventEnv,
    });
    const db = await database('gw_accounts');
    const logger = capturingLogger('accounts', logs);
    const app = await createAccountsApp(asProduction(config), {
      db: db.db,
      logger,
      gatewayKey: callerKey,
      ...(connection ? { amqp: connection } : {}),
    });
    await serve('accounts', app, logger);
    jwksUrl = `${subgraphs['accounts']!.url}${app.jwksPath}`;
    accounts = {
      db,
      keys: app.keys,
      createAdmin: (email, password) => app.createAdmin({ email, password }, 'gateway-test'),
    };
  }
  // As in production: JWKS and the feed of ended sessions, both from accounts over HTTP.
  const verifierEnv: Record<string, string> = jwksUrl
    ? { JWKS_URL: jwksUrl, REVOCATIONS_URL: `${subgraphs['accounts']!.url}/internal/revocations` }
    : {};
  const testVerifier = issuer ? { verifier: createTokenVerifier(issuer.verifierOptions) } : {};

  // Every consuming service's queues under the run's prefix, with short retry delays.
  const consumerEnv = { AMQP_PREFIX: prefix, AMQP_PREFETCH: '10', EVENT_MAX_RETRIES: '5', EVENT_RETRY_DELAY_MS: '100' };

  // Notifications before the producers, so its queue exists before the relays publish.
  let notificationsDb: TestDatabase | undefined;
  if (events) {
    const logger = capturingLogger('notifications', logs);
    notificationsDb = await database('gw_notifications');
    const config = loadNotificationsConfig({
      NODE_ENV: 'test',
      ...consumerEnv,
      SMTP_URL: testEnv.smtpUrl,
      STOREFRONT_URL: 'http://shop.test',
      DELIVERY_POLL_INTERVAL_MS: '200',
      ...verifierEnv,
    });
    const app = await createNotificationsApp(asProduction(config), {
      db: notificationsDb.db,
      logger,
      amqp: connection!,
      gatewayKey: callerKey,
    });
    teardown.push(() => deleteAmqpTopology(amqpUrl, topologyObjectNames(app.topology)));
    await serve('notifications', app, logger);
    await connection!.ready();
  }

  // Orders before products too: its catalog projection needs its queue before products publishes.
  let ordersDb: TestDatabase | undefined;
  if (mode === 'orders') {
    const logger = capturingLogger('orders', logs);
    ordersDb = await database('gw_orders');
    const config = loadOrdersConfig({ NODE_ENV: 'test', ...eventEnv, ...consumerEnv, ...verifierEnv, ...options.orders?.env });
    const app = await createOrdersApp(asProduction(config), {
      db: ordersDb.db,
      logger,
      amqp: connection!,
      gatewayKey: callerKey,
    });
    teardown.push(() => deleteAmqpTopology(amqpUrl, topologyObjectNames(app.topology)));
    await serve('orders', app, logger);
  }

  const productsCommands: CommandStartedEvent[] = [];
  const productsDb = await database('gw_products');
  productsDb.client.on('commandStarted', (event) => productsCommands.push(event));
  const productsLogger = capturingLogger('products', logs);
  const productsConfig = loadProductsConfig({ NODE_ENV: 'test', ...eventEnv, ...verifierEnv, ...consumerEnv });
  const products = await createProductsApp(asProduction(productsConfig), {
    db: productsDb.db,
    logger: productsLogger,
    gatewayKey: callerKey,
    ...testVerifier,
    ...(connection ? { amqp: connection } : {}),
  });
  if (mode === 'orders') teardown.push(() => deleteAmqpTopology(amqpUrl, topologyObjectNames(products.topology)));
  await serve('products', products, productsLogger);
  if (mode === 'orders') await connection!.ready();

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
  const limits = { maxDepth: 10, maxAliases: 15, maxCost: 5_000, maxTokens: 2_000, ...options.limits };
  const gatewayConfig = loadGatewayConfig({
    NODE_ENV: 'test',
    SUPERGRAPH_PATH: supergraphPath,
    SUPERGRAPH_POLL_MS: '100',
    MAX_DEPTH: String(limits.maxDepth),
    MAX_ALIASES: String(limits.maxAliases),
    MAX_COST: String(limits.maxCost),
    MAX_TOKENS: String(limits.maxTokens),
    ...options.gateway?.env,
  });
  const gw = createGatewayApp(
    {
      ...gatewayConfig,
      production,
      // The subgraphs' URLs come from the supergraph composed above.
      subgraphUrls: {},
      corsOrigins: options.corsOrigins ?? (production ? [] : ['*']),
    },
    {
      logger: gatewayLogger,
      responseStore: options.gateway?.responseStore,
      subgraphKey: options.gateway?.signingKey ?? subgraphKey,
    },
  );
  teardown.push(async () => gw.close());
  const gateway = await serveApp(gw, { listen: { host: '127.0.0.1', port: 0 }, logger: gatewayLogger });
  teardown.push(() => gateway.stop(5_000));

  return {
    gatewayUrl: `${gateway.url}/graphql`,
    subgraphKey,
    asGateway: (audience, authorization) => signedAsGateway(subgraphKey, audience, '127.0.0.1', authorization),
    gateway,
    subgraphs,
    issuer,
    accounts,
    productsDb,
    notificationsDb,
    ordersDb,
    events: { exchange: eventEnv['EVENTS_EXCHANGE']!, amqpUrl },
    productsCommands,
    logs,
    supergraphPath,
    gatewayStats: gw.stats,
    compose,
    async close() {
      for (const step of teardown.reverse()) await step().catch(() => undefined);
    },
  };
}

/** Messages Mailpit received for one address (tests use unique addresses, so files don't interfere). */
/**
 * `count` products in the catalog and one SENT notification about each of the first `notified` of
 * them for `customer`, written straight to the stores: no events or mail are involved in what is
 * then measured (the gateway's query plan, its speed). Needs a stack with notifications.
 */
export async function seedCatalogWithNotifications(
  stack: Stack,
  options: { label: string; count: number; notified: number; customer: { id: string; email: string } },
): Promise<string[]> {
  const now = new Date();
  const { label, customer } = options;
  const productDocs = Array.from({ length: options.count }, (_, i) => ({
    _id: new ObjectId(),
    slug: `${label}-${i}`,
    name: `${label} product ${i}`,
    nameKey: `${label} product ${i}`.toLowerCase(),
    description: `A ${label} product, number ${i}.`,
    price: { amount: 500 + i * 25, currency: 'EUR' },
    stock: i % 5,
    category: ['lamps', 'desks', 'chairs'][i % 3]!,
    imageUrls: [],
    createdAt: now,
    updatedAt: now,
    outbox: [],
  }));
  await stack.productsDb.db.collection('products').insertMany(productDocs);
  const ids = productDocs.map((doc) => doc._id.toHexString());
  await stack.notificationsDb!.db.collection('notifications').insertMany(
    ids.slice(0, options.notified).map((productId, i) => ({
      _id: new ObjectId(),
      eventId: randomUUID(),
      recipientId: customer.id,
      kind: 'NEW_PRODUCT',
      correlationId: label,
      to: customer.email,
      subject: `New: ${label} product ${i}`,
      productId,
      status: 'SENT',
      attempts: 1,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
      sentAt: now,
    })),
  );
  return ids;
}

export async function mailTo(address: string): Promise<{ ID: string; Subject: string }[]> {
  const response = await fetch(`${testEnv.mailpitApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  return ((await response.json()) as { messages: { ID: string; Subject: string }[] }).messages;
}
