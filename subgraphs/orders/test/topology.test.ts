import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '@little-ecom/auth';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { CONSUMER_BINDINGS, allConsumerTopologies, buildEvent, deleteConsumerTopology } from '@little-ecom/events';
import { silentLogger } from '@little-ecom/logger';
import type { Worker } from '@little-ecom/service';
import { createTestIssuer, eventually, freshDatabase, testEnv, type TestDatabase, type TestIssuer } from '@little-ecom/testing';
import { createOrdersApp } from '../src/app.js';
import { loadOrdersConfig } from '../src/config.js';
import { EVENT_BINDINGS } from '../src/events/event.handler.js';

// Issue 20, item 2: order.placed also reaches notifications' queue, so `mandatory` calls it routed
// when products' queue is missing, and the order waits forever. The producer declares every
// consumer's queue at start, before it publishes anything.
const prefix = `test-${randomUUID().slice(0, 8)}.`;
let db: TestDatabase;
let issuer: TestIssuer;
let connection: AmqpConnection;
let workers: Worker[] = [];
beforeAll(async () => {
  db = await freshDatabase('orders-topology');
  issuer = await createTestIssuer();
  connection = createAmqpConnection({ url: testEnv.amqpUrl, name: `orders-topology-${prefix}`, logger: silentLogger });
  const config = loadOrdersConfig({ NODE_ENV: 'test', AMQP_PREFIX: prefix, EVENTS_EXCHANGE: `${prefix}little-ecom.events` });
  const app = await createOrdersApp(config, {
    db: db.db,
    logger: silentLogger,
    amqp: connection,
    verifier: createTokenVerifier(issuer.verifierOptions),
    gatewayKey: null,
  });
  workers = app.start?.() ?? [];
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  const model = await amqp.connect(testEnv.amqpUrl);
  const channel = await model.createChannel();
  for (const t of Object.values(allConsumerTopologies(prefix))) {
    await deleteConsumerTopology(channel, t).catch(() => undefined);
  }
  await model.close().catch(() => undefined);
  await connection?.close();
  await issuer?.close();
  await db?.drop();
});

describe('every consumer queue is declared by the producer', () => {
  it('binds orders exactly to the events it handles', () => {
    expect([...EVENT_BINDINGS].sort()).toEqual([...CONSUMER_BINDINGS.orders].sort());
  });

  it('keeps an order.placed for products when products has never started (its queue is there, bound)', async () => {
    const model = await amqp.connect(testEnv.amqpUrl);
    try {
      // Products never ran here: only orders (a producer of order.*) started.
      const queue = `${prefix}products.events`;
      const exists = async () => {
        const channel = await model.createChannel();
        channel.on('error', () => undefined);
        try {
          return await channel.checkQueue(queue);
        } catch {
          return undefined;
        } finally {
          await channel.close().catch(() => undefined);
        }
      };
      await eventually(exists, 10_000);
      const channel = await model.createConfirmChannel();
      const event = buildEvent(
        'order.placed',
        { orderId: randomUUID(), userId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }], aggregateVersion: 1 },
        { source: 'orders', correlationId: 'c' },
      );
      channel.publish(`${prefix}little-ecom.events`, event.type, Buffer.from(JSON.stringify(event)), { mandatory: true });
      await channel.waitForConfirms();
      await eventually(async () => ((await exists())?.messageCount === 1 ? true : undefined), 10_000);
      const got = await channel.get(queue, { noAck: true });
      expect(got && (JSON.parse(got.content.toString()) as { id: string }).id).toBe(event.id);
    } finally {
      await model.close().catch(() => undefined);
    }
  });
});
