// Event pipeline benchmark: `npm run bench:pipeline [-- --products 200 --subscribers 2 --concurrency 4]`.
// In this process, on loopback only: the products subgraph (GraphQL over HTTP, outbox), its relay, the
// real RabbitMQ (a private, deleted-afterwards topology), the notifications consumer and delivery
// worker, and a private Mailpit. Creates a bounded number of products and prints events per second
// through the pipeline and the latency from mutation to email accepted by SMTP (p50/p95).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { createProductsApp, loadProductsConfig } from '@little-ecom/products';
import { serveApp } from '@little-ecom/service';
import { freshDatabase, graphqlRequest, testEnv, percentile } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { createUserRepository } from '../src/users/user.repository.js';
import { privateMailpit, startHarness } from '../test/support.js';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '200' },
    subscribers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
  },
});
const productCount = Math.min(Math.max(Number(values.products), 1), 5_000);
const subscriberCount = Math.min(Math.max(Number(values.subscribers), 1), 100);
const concurrency = Math.min(Math.max(Number(values.concurrency), 1), 32);

const mailpit = await privateMailpit();
await mailpit.start();
// The harness brings the notifications side: fresh database, private topology, consumer, worker.
const h = await startHarness({ smtpUrl: mailpit.smtpUrl, delivery: { concurrency: 10, pollIntervalMs: 200 } });
const productsDb = await freshDatabase('bench_products');
const relayConnection = createAmqpConnection({
  url: testEnv.amqpUrl,
  name: 'bench-relay',
  logger: silentLogger,
});
const PRODUCTS = 'products';
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
try {
  const token = await h.issuer.sign({ sub: 'bench-admin', role: 'ADMIN' });

  // Subscribers: projected users who opted in to new products.
  const users = createUserRepository(h.db.db);
  for (let i = 0; i < subscriberCount; i++) {
    const userId = randomUUID();
    await users.project(
      { userId, email: `bench-${i}-${userId.slice(0, 6)}@bench.little-ecom.local`, name: `Bench ${i}`, role: 'CUSTOMER' },
      new Date().toISOString(),
    );
    await users.updatePreferences(userId, { newProducts: true });
  }

  const startedAt = new Map<string, number>();
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < productCount) {
        const i = next++;
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
    }),
  );
  const mutationsDone = Date.now();

  const expected = productCount * subscriberCount;
  const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
  const deadline = Date.now() + 5 * 60_000;
  let sent = 0;
  let relayedAt = 0;
  let recordedAt = 0;
  while (Date.now() < deadline) {
    if (!relayedAt && (await productsDb.db.collection(PRODUCTS).countDocuments({ 'outbox.0': { $exists: true } })) === 0)
      relayedAt = Date.now();
    if (!recordedAt && (await col.countDocuments({ kind: 'NEW_PRODUCT' })) >= expected) recordedAt = Date.now();
    sent = await col.countDocuments({ kind: 'NEW_PRODUCT', status: 'SENT' });
    if (sent >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = Date.now();
  const latencies = (await col.find({ kind: 'NEW_PRODUCT', status: 'SENT' }).toArray())
    .map((n) => n.sentAt!.getTime() - (startedAt.get(n.productId!) ?? NaN))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);

  const seconds = (done - t0) / 1000;
  const lines = [
    `products created:        ${productCount} (concurrency ${concurrency}) in ${((mutationsDone - t0) / 1000).toFixed(2)} s`,
    `subscribers per product: ${subscriberCount}`,
    `emails accepted by SMTP: ${sent}/${expected}`,
    `events through pipeline: ${(productCount / seconds).toFixed(1)} events/s (mutation to last email: ${seconds.toFixed(2)} s)`,
    `emails per second:       ${(sent / seconds).toFixed(1)}`,
    `stages (from first mutation): all events published ${((relayedAt - t0) / 1000).toFixed(2)} s, all notifications recorded ${((recordedAt - t0) / 1000).toFixed(2)} s, all sent ${seconds.toFixed(2)} s`,
    `mutation -> SMTP accept: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${latencies.at(-1)} ms`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await http.stop(5_000);
  await relayConnection.close();
  await h.close();
  await productsDb.drop();
  await mailpit.dispose();
}
