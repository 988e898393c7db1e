import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp, { type ChannelModel } from 'amqplib';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { silentLogger } from '@little-ecom/logger';
import { eventually, testEnv } from '@little-ecom/testing';
import { startEventConsumer, type EventConsumer } from './consumer.js';
import { buildEvent } from './envelope.js';
import { consumerTopology, deleteConsumerTopology } from './topology.js';
import { messageBody, publishOptions } from './wire.js';

// A failed handling is copied to a retry queue and acked only once the copy is confirmed. When the
// copy fails (here: its retry queue was deleted), the message must not sit unacked until RabbitMQ's
// consumer timeout (30 min): the channel is reopened, which re-declares the queue and redelivers it.
const topology = consumerTopology('retry-copy-test', ['user.registered'], `test-${randomUUID()}.`, {
  maxRetries: 3,
  retryDelayMs: 100,
});
let connection: AmqpConnection;
let consumer: EventConsumer;
let publisher: ChannelModel;
let calls = 0;

beforeAll(async () => {
  connection = createAmqpConnection({ url: testEnv.amqpUrl, name: 'retry copy test', logger: silentLogger });
  consumer = startEventConsumer({
    connection,
    topology,
    handle: async () => {
      calls++;
      if (calls === 1) throw new Error('first handling fails');
    },
    logger: silentLogger,
    settings: { prefetch: 5, maxRetries: 3 },
  });
  publisher = await amqp.connect(testEnv.amqpUrl);
  await eventually(async () => {
    const ch = await publisher.createChannel();
    ch.on('error', () => undefined);
    try {
      await ch.checkQueue(topology.queue);
      await ch.close();
      return true;
    } catch {
      return undefined;
    }
  });
});

afterAll(async () => {
  await consumer?.stop();
  const ch = await publisher?.createChannel();
  if (ch) await deleteConsumerTopology(ch, topology);
  await publisher?.close();
  await connection?.close();
});

describe('a retry copy that fails', () => {
  it('does not leave the message unacknowledged: it is handled again', async () => {
    const ch = await publisher.createConfirmChannel();
    // The first retry queue is gone: the copy of the failed handling comes back unroutable.
    await ch.deleteQueue(topology.retryQueues[0]!.name);
    const event = buildEvent(
      'user.registered',
      { userId: randomUUID(), email: 'retry@example.test', name: 'Retry', role: 'CUSTOMER', aggregateVersion: 1 },
      { source: 'test', correlationId: randomUUID() },
    );
    ch.publish(topology.exchange, event.type, messageBody(event), publishOptions(event));
    await ch.waitForConfirms();
    await ch.close();
    await eventually(async () => (calls >= 2 ? true : undefined), 15_000);
    // Handled, acked, nothing held.
    await eventually(async () => {
      const check = await publisher.createChannel();
      const { messageCount } = await check.checkQueue(topology.queue);
      await check.close();
      return messageCount === 0 ? true : undefined;
    });
    // Once failed (copy lost), once handled after the redelivery: never dead-lettered.
    expect(calls).toBe(2);
  });
});
