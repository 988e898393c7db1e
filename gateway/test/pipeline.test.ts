import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { loadAccountsConfig } from '@little-ecom/accounts/config';
import { createOrPromoteAdmin } from '@little-ecom/accounts/create-admin';
import { createArgon2Hasher } from '@little-ecom/accounts/password-hasher';
import { accountsIndexes, createServer as createAccountsServer } from '@little-ecom/accounts/server';
import { generateSigningJwk, importSigningKeys } from '@little-ecom/accounts/signing-keys';
import { USERS, createUserRepository } from '@little-ecom/accounts/users';
import { createAmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { startOutboxRelay } from '@little-ecom/events';
import { startHttpServer, type RunningHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import { deleteTopology, topologyNames } from '@little-ecom/notifications/topology';
import { ensureNotificationIndexes, startNotificationsRuntime } from '@little-ecom/notifications/runtime';
import { createServer as createNotificationsServer } from '@little-ecom/notifications/server';
import { PRODUCTS, productIndexes, productRemovedWhenDrained } from '@little-ecom/products/catalog';
import { createServer as createProductsServer } from '@little-ecom/products/server';
import { eventually, freshDatabase, graphqlRequest, testEnv, type TestDatabase } from '@little-ecom/testing';
import { createGateway } from '../src/server.js';
import { composeSupergraph, readSubgraphSchemas } from '../src/supergraph.js';
import { repoRoot } from './harness.js';

/**
 * The whole event pipeline behind the gateway: accounts and products write outbox events, their
 * relays publish to a private copy of the topology on the real broker, notifications consumes and
 * mails through the shared Mailpit. Only loopback; nothing is mocked.
 */
const logger = createLogger({ service: 'gw-pipeline-test', level: 'error' });
const topology = topologyNames(`test-${randomUUID().slice(0, 8)}.`);
const databases: TestDatabase[] = [];
const servers: Record<string, RunningHttpServer> = {};
const stops: (() => Promise<unknown>)[] = [];
let gatewayUrl: string;
let adminCredentials: { email: string; password: string };

const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

async function mailTo(address: string): Promise<{ ID: string; Subject: string }[]> {
  const response = await fetch(`${testEnv.mailpitApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  return ((await response.json()) as { messages: { ID: string; Subject: string }[] }).messages;
}

async function database(name: string): Promise<TestDatabase> {
  const db = await freshDatabase(name);
  databases.push(db);
  return db;
}

beforeAll(async () => {
  const connection = createAmqpConnection({ url: testEnv.amqpUrl, name: `gw-pipeline-${topology.queue}`, logger, minDelayMs: 50 });
  stops.push(() => connection.close());

  // accounts
  const config = loadAccountsConfig({ NODE_ENV: 'test' });
  const keys = await importSigningKeys([await generateSigningJwk()]);
  const hasher = await createArgon2Hasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
  const accountsDb = await database('gw_pipe_accounts');
  await ensureIndexes(accountsDb.db, accountsIndexes);
  const accounts = createAccountsServer({ db: accountsDb.db, logger, production: false, keys, settings: config.auth, hasher });
  await accounts.apollo.start();
  servers['accounts'] = await startHttpServer(
    { apollo: accounts.apollo, context: accounts.context, routes: accounts.routes, logger, trustProxy: true },
    { host: '127.0.0.1', port: 0 },
  );
  const verifier = createTokenVerifier({
    jwksUrl: `${servers['accounts'].url}/.well-known/jwks.json`,
    issuer: config.auth.tokens.issuer,
    audience: config.auth.tokens.audience,
    algorithms: ['ES256'],
  });

  // notifications first, so its queue exists before the relays publish
  const notificationsDb = await database('gw_pipe_notifications');
  await ensureNotificationIndexes(notificationsDb.db);
  const runtime = startNotificationsRuntime({
    db: notificationsDb.db,
    connection,
    topology,
    logger,
    consumer: { prefetch: 10, maxRetries: 3, retryDelayMs: 100 },
    delivery: { concurrency: 5, maxAttempts: 4, retryBaseMs: 100, retryMaxDelayMs: 500, pollIntervalMs: 200 },
    mail: { smtpUrl: testEnv.smtpUrl, from: 'little-ecom <no-reply@test.little-ecom.local>', maxConnections: 2, storefrontUrl: 'http://shop.test' },
  });
  stops.push(() => runtime.stop());
  const notifications = createNotificationsServer({ db: notificationsDb.db, verifier, logger, production: false, wakeDelivery: () => runtime.wakeDelivery() });
  await notifications.apollo.start();
  servers['notifications'] = await startHttpServer({ apollo: notifications.apollo, context: notifications.context, logger, trustProxy: true }, { host: '127.0.0.1', port: 0 });
  await connection.ready();

  // products
  const productsDb = await database('gw_pipe_products');
  await ensureIndexes(productsDb.db, { [PRODUCTS]: productIndexes });
  const products = createProductsServer({ db: productsDb.db, verifier, logger, production: false });
  await products.apollo.start();
  servers['products'] = await startHttpServer({ apollo: products.apollo, context: products.context, logger, trustProxy: true }, { host: '127.0.0.1', port: 0 });

  // the relays of both producers
  for (const [db, collection] of [
    [accountsDb.db, USERS],
    [productsDb.db, PRODUCTS],
  ] as const) {
    const relay = startOutboxRelay({
      db,
      collections: [collection],
      connection,
      logger,
      exchange: topology.exchange,
      pollIntervalMs: 200,
      removeWhenDrained: { [PRODUCTS]: productRemovedWhenDrained },
    });
    stops.push(() => relay.stop());
  }

  const urls = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, `${server.url}/graphql`]));
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'little-ecom-supergraph-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composeSupergraph(readSubgraphSchemas(repoRoot, urls).filter((s) => s.name in servers)));
  const gw = createGateway({
    logger,
    production: false,
    supergraph: { path: supergraphPath, pollIntervalMs: 1_000 },
    subgraphUrls: {},
    limits: { maxDepth: 10, maxAliases: 15, maxCost: 5_000, maxTokens: 2_000 },
  });
  await gw.apollo.start();
  servers['gateway'] = await startHttpServer({ apollo: gw.apollo, context: gw.context, logger, graphqlPaths: ['/', '/graphql'] }, { host: '127.0.0.1', port: 0 });
  gatewayUrl = `${servers['gateway'].url}/graphql`;

  adminCredentials = { email: uniqueEmail('admin'), password: 'an admin password for the pipeline' };
  await createOrPromoteAdmin({ users: createUserRepository(accountsDb.db), hasher }, adminCredentials, 'gateway-pipeline-test');
}, 60_000);

afterAll(async () => {
  if (servers['gateway']) await servers['gateway'].drain(1_000);
  for (const [name, server] of Object.entries(servers)) if (name !== 'gateway') await server.drain(1_000);
  for (const stop of stops.reverse()) await stop();
  const model = await amqp.connect(testEnv.amqpUrl);
  await deleteTopology(await model.createChannel(), topology).catch(() => undefined);
  await model.close();
  for (const db of databases) await db.drop();
});

const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string) => {
  const result = await graphqlRequest<T>(gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  expect(result.errors).toBeUndefined();
  return result.data!;
};

describe('event pipeline through the gateway', () => {
  it('welcomes a new customer, and mails them exactly once about a new product they opted in to', async () => {
    const email = uniqueEmail('customer');
    const { signUp } = await gql<{ signUp: { accessToken: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`,
      { input: { email, password: 'a customer password 123', name: 'Pipeline Customer' } },
    );
    await eventually(async () => ((await mailTo(email)).some((m) => m.Subject === 'Welcome to little-ecom') ? true : undefined), 20_000);

    const { updateNotificationPreferences } = await gql<{ updateNotificationPreferences: Record<string, boolean> }>(
      `mutation { updateNotificationPreferences(input: { newProducts: true }) { newProducts priceDrops backInStock } }`,
      {},
      signUp.accessToken,
    );
    expect(updateNotificationPreferences).toEqual({ newProducts: true, priceDrops: false, backInStock: false });

    const { logIn } = await gql<{ logIn: { accessToken: string } }>(
      `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }`,
      { e: adminCredentials.email, p: adminCredentials.password },
    );
    const name = `Pipeline Lamp ${randomUUID().slice(0, 6)}`;
    await gql(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { name, price: { amount: 2599, currency: 'EUR' }, stock: 4, category: 'lamps' } },
      logIn.accessToken,
    );

    await eventually(async () => ((await mailTo(email)).some((m) => m.Subject === `New: ${name}`) ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await mailTo(email)).filter((m) => m.Subject.startsWith('New: ')).map((m) => m.Subject)).toEqual([`New: ${name}`]);

    interface Me {
      me: {
        notifications: {
          totalCount: number;
          edges: { node: { kind: string; status: string; sentAt: string | null; product: { name: string; price: { amount: number; currency: string } } | null } }[];
        };
      };
    }
    const { me } = await gql<Me>(
      `{ me { notifications(first: 10) { totalCount edges { node { kind status sentAt product { name price { amount currency } } } } } } }`,
      {},
      signUp.accessToken,
    );
    expect(me.notifications.totalCount).toBe(2);
    const [newest, welcome] = me.notifications.edges.map((e) => e.node);
    expect(newest).toMatchObject({ kind: 'NEW_PRODUCT', status: 'SENT', product: { name, price: { amount: 2599, currency: 'EUR' } } });
    expect(newest?.sentAt).toBeTruthy();
    expect(welcome).toMatchObject({ kind: 'WELCOME', status: 'SENT', product: null });
  });

  it('mails the reset link when a password reset is requested', async () => {
    const email = uniqueEmail('forgetful');
    await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }`, {
      input: { email, password: 'a forgettable password 1', name: 'Forgetful' },
    });
    await gql(`mutation($email: String!) { requestPasswordReset(email: $email) }`, { email });
    const mail = await eventually(async () => (await mailTo(email)).find((m) => m.Subject === 'Reset your little-ecom password'), 20_000);
    const response = await fetch(`${testEnv.mailpitApiUrl}/api/v1/message/${mail.ID}`);
    const { Text } = (await response.json()) as { Text: string };
    expect(Text).toMatch(/http:\/\/shop\.test\/reset-password\?token=[A-Za-z0-9%_-]{16,}/);
  });
});
