import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { createProductsApp, loadProductsConfig } from '@little-ecom/products';
import { declareConsumerTopology } from '@little-ecom/events';
import { serveApp, type RunningService } from '@little-ecom/service';
import {
  eventually,
  freshDatabase,
  graphqlRequest,
  privateRabbitMq,
  type PrivateRabbitMq,
  type TestDatabase,
} from '@little-ecom/testing';
import { mailTo, sleep, startHarness, uniqueEmail, type Harness } from './support.js';

// Faults of the broker itself, on a private RabbitMQ node of this file's own (the shared one is never
// touched): a queue deleted under the running consumer, and the node restarted while products are
// being created. The whole path is real: products (GraphQL, outbox) -> relay -> RabbitMQ -> consumer
// -> SMTP (the shared Mailpit). About 45 s, most of it two node boots on a loaded machine.
let node: PrivateRabbitMq;
let h: Harness;
let productsDb: TestDatabase;
let products: RunningService;
let relayConnection: AmqpConnection;
let adminToken: string;
let customer: { userId: string; email: string };

const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id name } }`;
async function createProduct(name: string): Promise<void> {
  const result = await graphqlRequest<{ createProduct: { id: string } }>(
    `${products.url}/graphql`,
    CREATE,
    { input: { name, price: { amount: 1999, currency: 'EUR' }, stock: 2, category: 'test' } },
    { authorization: `Bearer ${adminToken}` },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
}
const newProductMail = async () => (await mailTo(customer.email)).filter((m) => m.Subject.startsWith('New: '));

beforeAll(async () => {
  node = await privateRabbitMq();
  await node.start();
  process.stdout.write(`private RabbitMQ node ${node.nodename} started in ${node.lastStartMs} ms\n`);
  h = await startHarness({ amqpUrl: node.url, publisherUrl: node.url });
  productsDb = await freshDatabase('broker_faults_products');
  const verifier = createTokenVerifier(h.issuer.verifierOptions);
  // The production connection settings (backoff, heartbeat) and relay defaults: the restart test measures them.
  relayConnection = createAmqpConnection({ url: node.url, name: 'products-relay-broker-faults', logger: silentLogger });
  const app = await createProductsApp(loadProductsConfig({ NODE_ENV: 'test', EVENTS_EXCHANGE: h.topology.exchange }), {
    db: productsDb.db,
    logger: silentLogger,
    verifier,
    amqp: relayConnection,
    // Called directly by this test, not through a gateway.
    gatewayKey: null,
  });
  products = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
  adminToken = await h.issuer.sign({ sub: 'admin', role: 'ADMIN' });
  customer = { userId: randomUUID(), email: uniqueEmail('broker-faults') };
  await h.publisher.publish('user.registered', { ...customer, name: 'Broker Faults', role: 'CUSTOMER' });
  await eventually(async () => ((await mailTo(customer.email)).length === 1 ? true : undefined), 20_000);
  await h.gql(
    `mutation { updateNotificationPreferences(input: { newProducts: true }) { newProducts } }`,
    {},
    { sub: customer.userId, role: 'CUSTOMER' },
  );
}, 120_000);

afterAll(async () => {
  await products?.stop(5_000);
  await relayConnection?.close();
  await h?.close();
  await productsDb?.drop();
  await node?.dispose();
});

describe('broker faults (private RabbitMQ node)', () => {
  it('subscribes again after its queue is deleted and re-declared under it; later events are mailed exactly once', async () => {
    // A check of a missing queue closes the channel it runs on (404): one throwaway channel per look.
    const admin = await amqp.connect(node.url);
    const consumers = async () => {
      const probe = await admin.createChannel();
      probe.on('error', () => undefined);
      const { consumerCount } = await probe.checkQueue(h.topology.queue);
      await probe.close();
      return consumerCount;
    };
    expect(await consumers()).toBe(1);
    // The broker cancels the consumer (basic.cancel); before, nothing re-subscribed and events piled up unread.
    const deleter = await admin.createChannel();
    await deleter.deleteQueue(h.topology.queue);
    await eventually(
      async () =>
        h.logs.some((l) => l['msg'] === 'AMQP channel reset, reopening' && l['reason'] === 'consumer cancelled by the broker')
          ? true
          : undefined,
      10_000,
    );
    // An operator re-declares it too (the consumer's new channel may have done so first: declaring is idempotent).
    await declareConsumerTopology(deleter, h.topology);
    await eventually(async () => ((await consumers()) === 1 ? true : undefined), 15_000);
    await admin.close();

    const users = Array.from({ length: 5 }, (_, i) => ({
      userId: randomUUID(),
      email: uniqueEmail(`after-cancel-${i}`),
      name: 'After Cancel',
      role: 'CUSTOMER',
    }));
    for (const user of users) await h.publisher.publish('user.registered', user);
    await eventually(async () => {
      const counts = await Promise.all(users.map(async (u) => (await mailTo(u.email)).length));
      return counts.every((c) => c >= 1) ? true : undefined;
    }, 20_000);
    await sleep(1_000);
    for (const user of users) expect(await mailTo(user.email)).toHaveLength(1);
  }, 60_000);

  it('loses and duplicates no email when the node restarts while products are being created', async () => {
    const names: string[] = [];
    const create = async (label: string, n: number) => {
      const name = `Restart ${label} ${n} ${randomUUID().slice(0, 6)}`;
      names.push(name);
      await createProduct(name);
    };
    for (let n = 0; n < 8; n++) await create('before', n);
    await node.stop();
    // Writes go on while the broker is away: their events wait in the outbox.
    for (let n = 0; n < 8; n++) await create('during', n);
    await node.start();
    const back = Date.now();
    for (let n = 0; n < 8; n++) await create('after', n);

    const during = names.filter((n) => n.startsWith('Restart during'));
    await eventually(
      async () => {
        const subjects = new Set((await newProductMail()).map((m) => m.Subject));
        return during.every((n) => subjects.has(`New: ${n}`)) ? true : undefined;
      },
      60_000,
      200,
    );
    process.stdout.write(
      `emails for products created during the outage all sent ${Date.now() - back} ms after the node was back\n`,
    );
    await eventually(async () => ((await newProductMail()).length >= names.length ? true : undefined), 60_000);
    await sleep(1_500);
    const subjects = (await newProductMail()).map((m) => m.Subject).sort();
    expect(subjects).toEqual(names.map((n) => `New: ${n}`).sort());
  }, 180_000);
});
