// Event pipeline benchmark:
//   npm run bench:pipeline [-- --backlog 300 --subscribers 2 --rate 20 --seconds 10]
// In this process, on loopback only: the products subgraph (GraphQL over HTTP, outbox), its relay, the
// real RabbitMQ (a private, deleted-afterwards topology), the notifications consumer, fan-out runner
// and delivery worker, and a private Mailpit. Two bounded phases, reported separately:
// 1. sustained throughput: `backlog` products created as fast as 8 clients can, then everything drains;
//    events/s and emails/s from the first mutation to the last email accepted by SMTP;
// 2. latency at a fixed rate: `rate` products per second for `seconds` s; mutation to SMTP accept.
// Both print the database commands (MongoDB API) per event and per email, counted by the drivers, and
// the full-collection scans among them: a read, update or delete whose filter is not an `_id` equality
// or `$in` (FerretDB v1 pushes down nothing else, so each one reads the whole collection).
import { randomUUID } from 'node:crypto';
import { MongoClient, type CommandStartedEvent, type Document } from 'mongodb';
import { parseArgs } from 'node:util';
import { createAmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { createProductsApp, loadProductsConfig } from '@little-ecom/products';
import { serveApp } from '@little-ecom/service';
import { boundedArg, freshDatabase, graphqlRequest, percentile, testEnv, type TestDatabase } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { privateMailpit, startHarness } from '../test/support.js';

const { values } = parseArgs({
  options: {
    backlog: { type: 'string', default: '300' },
    subscribers: { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
  },
});
const backlog = boundedArg(values.backlog, 1, 5_000);
const subscriberCount = boundedArg(values.subscribers, 1, 100);
const rate = boundedArg(values.rate, 1, 200);
const seconds = boundedArg(values.seconds, 1, 120);

/** True when `filter` selects by `_id` alone: an equality or an `$in` (what FerretDB v1 pushes down). */
function byId(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  const keys = Object.keys(filter);
  if (!keys.includes('_id')) return false;
  const id = (filter as Document)._id as unknown;
  const op = id && typeof id === 'object' && !Array.isArray(id) ? Object.keys(id) : [];
  return op.length === 0 || op.every((k) => !k.startsWith('$')) || (op.length === 1 && op[0] === '$in');
}

/** The filters of a command that reads, updates or deletes documents; none for inserts and the like. */
function filtersOf(event: CommandStartedEvent): unknown[] {
  const c = event.command;
  switch (event.commandName) {
    case 'find':
      return [c.filter ?? {}];
    case 'count':
    case 'findAndModify':
      return [c.query ?? {}];
    case 'update':
    case 'delete':
      return ((c.updates ?? c.deletes ?? []) as Document[]).map((op) => op.q as unknown);
    case 'aggregate':
    case 'distinct':
      return [{}];
    default:
      return [];
  }
}

/** A database whose driver counts the commands it sends, and the full-collection scans among them. */
async function countedDatabase(prefix: string): Promise<TestDatabase & { commands: () => number; scans: () => number }> {
  const db = await freshDatabase(prefix, { monitorCommands: true });
  let commands = 0;
  let scans = 0;
  db.client.on('commandStarted', (event) => {
    commands++;
    if (filtersOf(event).some((filter) => !byId(filter))) scans++;
  });
  return { ...db, commands: () => commands, scans: () => scans };
}

const mailpit = await privateMailpit();
await mailpit.start();
const notificationsDb = await countedDatabase('bench_notifications');
// The harness brings the notifications side: private topology, consumer, fan-out runner, worker.
const h = await startHarness({
  smtpUrl: mailpit.smtpUrl,
  database: notificationsDb,
  delivery: { concurrency: 10, pollIntervalMs: 200 },
});
const productsDb = await countedDatabase('bench_products');
const relayConnection = createAmqpConnection({ url: testEnv.amqpUrl, name: 'bench-relay', logger: silentLogger });
// The products subgraph as it runs in production (API and outbox relay), on the harness's exchange.
const products = await createProductsApp(
  loadProductsConfig({ NODE_ENV: 'test', EVENTS_EXCHANGE: h.topology.exchange, OUTBOX_POLL_INTERVAL_MS: '200' }),
  {
    db: productsDb.db,
    logger: silentLogger,
    verifier: createTokenVerifier(h.issuer.verifierOptions),
    amqp: relayConnection,
    gatewayKey: null,
  },
);
const http = await serveApp(products, { listen: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
// The bench's own progress checks go through a client of their own, so they are not counted.
const observer = new MongoClient(testEnv.mongodbUri);
const col = observer.db(notificationsDb.db.databaseName).collection<NotificationDocument>(NOTIFICATIONS);
const token = await h.issuer.sign({ sub: 'bench-admin', role: 'ADMIN' });
let created = 0;

async function createProduct(startedAt: Map<string, number>): Promise<void> {
  const i = created++;
  const begin = Date.now();
  const result = await graphqlRequest<{ createProduct: { id: string } }>(
    `${http.url}/graphql`,
    `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    { input: { name: `Bench product ${i}`, price: { amount: 1000 + i, currency: 'EUR' }, stock: 1, category: 'bench' } },
    { authorization: `Bearer ${token}` },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  startedAt.set(result.data.createProduct.id, begin);
}

/** Waits (bounded: 5 min) until every email of `startedAt`'s products was accepted by SMTP. */
async function drained(startedAt: Map<string, number>): Promise<{ sent: number; latencies: number[]; lastSentAt: number }> {
  const ids = [...startedAt.keys()];
  const expected = ids.length * subscriberCount;
  const deadline = Date.now() + 5 * 60_000;
  let sent = 0;
  while (Date.now() < deadline) {
    sent = await col.countDocuments({ kind: 'NEW_PRODUCT', status: 'SENT', productId: { $in: ids } });
    if (sent >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const docs = await col.find({ kind: 'NEW_PRODUCT', status: 'SENT', productId: { $in: ids } }).toArray();
  const latencies = docs.map((n) => n.sentAt!.getTime() - startedAt.get(n.productId!)!).sort((a, b) => a - b);
  return { sent, latencies, lastSentAt: Math.max(...docs.map((n) => n.sentAt!.getTime())) };
}

const opsLine = (label: string, events: number, emails: number, before: ReturnType<typeof opsNow>) => {
  const n = notificationsDb.commands() - before.n;
  const p = productsDb.commands() - before.p;
  const ns = notificationsDb.scans() - before.ns;
  const ps = productsDb.scans() - before.ps;
  return [
    `${label} DB commands: notifications ${(n / events).toFixed(1)}/event (${(n / emails).toFixed(1)}/email), products ${(p / events).toFixed(1)}/event (mutation, outbox, relay)`,
    `${label} full scans: notifications ${(ns / events).toFixed(2)}/event (${(ns / emails).toFixed(2)}/email), products ${(ps / events).toFixed(2)}/event`,
  ].join('\n');
};
const opsNow = () => ({
  n: notificationsDb.commands(),
  p: productsDb.commands(),
  ns: notificationsDb.scans(),
  ps: productsDb.scans(),
});

try {
  // Subscribers: projected users who opted in to new products.
  const { users } = h.app.services.repositories;
  for (let i = 0; i < subscriberCount; i++) {
    const userId = randomUUID();
    await users.project(
      { userId, email: `bench-${i}-${userId.slice(0, 6)}@bench.little-ecom.local`, name: `Bench ${i}`, role: 'CUSTOMER' },
      new Date().toISOString(),
    );
    await users.updatePreferences(userId, { newProducts: true });
  }
  const lines: string[] = [`subscribers per product: ${subscriberCount}`];

  // 1. Sustained throughput: a backlog of products, as fast as 8 clients can create them.
  {
    const ops = opsNow();
    const startedAt = new Map<string, number>();
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (created < backlog) await createProduct(startedAt);
      }),
    );
    const mutationsDone = Date.now();
    const { sent, lastSentAt } = await drained(startedAt);
    const total = (lastSentAt - t0) / 1000;
    const emails = startedAt.size * subscriberCount;
    lines.push(
      `throughput: ${startedAt.size} products in ${((mutationsDone - t0) / 1000).toFixed(1)} s; ${sent}/${emails} emails accepted by SMTP`,
      `throughput: ${(startedAt.size / total).toFixed(1)} events/s, ${(sent / total).toFixed(1)} emails/s sustained (first mutation to last email: ${total.toFixed(1)} s)`,
      opsLine('throughput:', startedAt.size, emails, ops),
    );
  }

  // 2. Latency at a fixed rate: one product every 1/rate s for `seconds` s.
  {
    const ops = opsNow();
    const startedAt = new Map<string, number>();
    const count = rate * seconds;
    const t0 = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      inFlight.push(createProduct(startedAt));
    }
    await Promise.all(inFlight);
    const { sent, latencies } = await drained(startedAt);
    const achieved = count / ((Date.now() - t0) / 1000);
    lines.push(
      `latency: ${count} products at ${rate}/s for ${seconds} s; ${sent}/${count * subscriberCount} emails accepted by SMTP`,
      `latency: mutation -> SMTP accept p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${latencies.at(-1)} ms`,
      opsLine('latency:', count, count * subscriberCount, ops),
    );
    if (achieved < rate * 0.5)
      lines.push(`latency: note, the run took long enough that only ${achieved.toFixed(1)} events/s were achieved overall`);
  }
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await http.stop(5_000);
  await observer.close();
  await relayConnection.close();
  await h.close();
  await productsDb.drop();
  await mailpit.dispose();
}
