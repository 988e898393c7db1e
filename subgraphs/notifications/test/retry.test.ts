import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { buildEvent, consumerTopology, startEventConsumer, type EventConsumer } from '@little-ecom/events';
import { eventually, testEnv } from '@little-ecom/testing';
import { capturingLogger, startPublisher, type Publisher } from './support.js';

// The consumer alone, with handlers that fail on purpose: transient failures go through the retry
// queue with a delay and succeed later; failures that never stop end in the dead-letter queue.
const topology = consumerTopology('retry-test', ['user.*'], `test-${randomUUID().slice(0, 8)}.`, {
  maxRetries: 3,
  retryDelayMs: 100,
});
const logs: Record<string, unknown>[] = [];
const failuresLeft = new Map<string, number>();
const handled: { id: string; at: number }[] = [];
let connection: AmqpConnection;
let consumer: EventConsumer;
let publisher: Publisher;

beforeAll(async () => {
  publisher = await startPublisher(topology);
  connection = createAmqpConnection({
    url: testEnv.amqpUrl,
    name: `retry-test-${topology.queue}`,
    logger: capturingLogger(logs),
    minDelayMs: 50,
  });
  consumer = startEventConsumer({
    connection,
    topology,
    logger: capturingLogger(logs),
    settings: { prefetch: 5, maxRetries: 3 },
    probe: async () => undefined, // the "database" answers: these failures are the message's own
    handle: async (_scope, event) => {
      const left = failuresLeft.get(event.id) ?? 0;
      if (left > 0) {
        failuresLeft.set(event.id, left - 1);
        throw new Error('database unavailable');
      }
      handled.push({ id: event.id, at: Date.now() });
    },
  });
  await connection.ready();
});

afterAll(async () => {
  await consumer?.stop();
  await connection?.close();
  await publisher?.close(true);
});

const user = () => ({
  userId: randomUUID(),
  email: 'x@test.little-ecom.local',
  name: 'X',
  role: 'CUSTOMER',
  aggregateVersion: 1,
});

describe('consumer retries', () => {
  it('redelivers a transiently failing event with growing delays until it succeeds', async () => {
    const started = Date.now();
    const event = buildEvent('user.registered', user(), { source: 'test', correlationId: 'retry' });
    failuresLeft.set(event.id, 2);
    await publisher.republish(event);
    await eventually(async () => (handled.some((h) => h.id === event.id) ? true : undefined), 10_000);
    // Two failures: retried after ~100 ms and ~200 ms.
    expect(handled.find((h) => h.id === event.id)!.at - started).toBeGreaterThanOrEqual(250);
    expect(logs.filter((l) => l['msg'] === 'event retry scheduled' && l['eventId'] === event.id)).toHaveLength(2);
    expect(handled.filter((h) => h.id === event.id)).toHaveLength(1);
  });

  it('dead-letters an event whose handling keeps failing, after the configured retries', async () => {
    const event = buildEvent('user.updated', user(), { source: 'test', correlationId: 'retry' });
    failuresLeft.set(event.id, 1_000);
    await publisher.republish(event);
    await eventually(
      async () => ((await publisher.channel.checkQueue(topology.deadLetterQueue)).messageCount === 1 ? true : undefined),
      10_000,
    );
    const dead = await publisher.channel.get(topology.deadLetterQueue, { noAck: true });
    expect(dead && dead.properties.messageId).toBe(event.id);
    expect(dead && dead.properties.headers?.['x-retries']).toBe(3);
    expect(
      logs.some((l) => l['msg'] === 'event dead-lettered' && l['errorCode'] === 'RETRIES_EXHAUSTED' && l['eventId'] === event.id),
    ).toBe(true);
  });
});
