import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp, { type ChannelModel } from 'amqplib';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { createLogger, silentLogger } from '@little-ecom/logger';
import { eventually, testEnv } from '@little-ecom/testing';
import { startEventConsumer, type EventConsumer } from './consumer.js';
import { buildEvent } from './envelope.js';
import { consumerTopology, deleteConsumerTopology } from './topology.js';
import { messageBody, publishOptions } from './wire.js';

const topology = consumerTopology('scope-test', ['user.registered'], `test-${randomUUID()}.`);
const records: Record<string, unknown>[] = [];
const logger = createLogger({ service: 'test', write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) });
let connection: AmqpConnection;
let consumer: EventConsumer;
let publisher: ChannelModel;

beforeAll(async () => {
  connection = createAmqpConnection({ url: testEnv.amqpUrl, name: 'consumer scope test', logger: silentLogger });
  consumer = startEventConsumer({
    connection,
    topology,
    // Logs with the service's logger, not the scope's: the event's scope must reach it all the same.
    handle: async () => logger.info('handled'),
    logger: silentLogger,
    settings: { prefetch: 5, maxRetries: 1 },
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

describe('event consumer scope', () => {
  it("runs the handler in the event's scope: its log lines carry the producer's request id", async () => {
    const producerRequestId = `req-${randomUUID()}`;
    const event = buildEvent(
      'user.registered',
      { userId: randomUUID(), email: 'scope@example.test', name: 'Scope', role: 'CUSTOMER', aggregateVersion: 1 },
      { source: 'test', correlationId: producerRequestId },
    );
    const ch = await publisher.createConfirmChannel();
    ch.publish(topology.exchange, event.type, messageBody(event), publishOptions(event));
    await ch.waitForConfirms();
    await ch.close();
    const line = await eventually(async () => records.find((r) => r['msg'] === 'handled'));
    expect(line).toMatchObject({
      requestId: producerRequestId,
      correlationId: producerRequestId,
      eventId: event.id,
      eventType: 'user.registered',
    });
  });
});
