import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { eventually, testEnv } from '@little-ecom/testing';
import { createManagedChannel } from './channel.js';
import type { Channel, ConfirmChannel } from 'amqplib';
import { createAmqpConnection } from './connection.js';
import { publishMandatory } from './publish.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function connection() {
  const conn = createAmqpConnection({
    url: testEnv.amqpUrl,
    name: `amqp-channel-test-${randomUUID().slice(0, 8)}`,
    logger: silentLogger,
  });
  cleanups.push(() => conn.close());
  return conn;
}

describe('createManagedChannel', () => {
  it('opens a new channel and runs setup again after the broker closed the channel', async () => {
    let setups = 0;
    const managed = createManagedChannel<Channel>(connection(), {
      name: 'test',
      confirm: false,
      logger: silentLogger,
      minDelayMs: 20,
      setup: async () => void setups++,
    });
    cleanups.push(() => managed.close());
    const first = await managed.ready(5_000);
    // A passive declare of a missing queue: RabbitMQ answers 404 and closes the channel.
    await expect(first.checkQueue(`missing-${randomUUID()}`)).rejects.toThrow(/NOT_FOUND/);
    const second = await eventually(async () => {
      const current = managed.current();
      return current && current !== first ? current : undefined;
    }, 5_000);
    expect(setups).toBe(2);
    expect(managed.opens).toBe(2);
    await second.checkExchange('amq.topic');
  });

  it('retries a failing setup with backoff instead of dropping the connection', async () => {
    const conn = connection();
    let attempts = 0;
    const managed = createManagedChannel<Channel>(conn, {
      name: 'test-failing',
      confirm: false,
      logger: silentLogger,
      minDelayMs: 20,
      maxDelayMs: 50,
      setup: async (channel) => {
        attempts++;
        if (attempts < 3) await channel.checkQueue(`missing-${randomUUID()}`);
      },
    });
    cleanups.push(() => managed.close());
    await managed.ready(5_000);
    expect(attempts).toBe(3);
    expect(conn.current()).not.toBeNull();
  });
});

describe('publishMandatory', () => {
  it('reports a message no queue is bound for as returned, and a routed one as routed', async () => {
    const managed = createManagedChannel<ConfirmChannel>(connection(), {
      name: 'test-publish',
      confirm: true,
      logger: silentLogger,
      setup: async () => undefined,
    });
    cleanups.push(() => managed.close());
    const channel = await managed.ready(5_000);
    const { queue } = await channel.assertQueue('', { exclusive: true });
    const outcome = await publishMandatory(
      channel,
      [
        { exchange: '', routingKey: queue, content: Buffer.from('a'), options: { messageId: 'routed' } },
        { exchange: '', routingKey: `nobody-${randomUUID()}`, content: Buffer.from('b'), options: { messageId: 'lost' } },
      ],
      5_000,
    );
    expect(outcome).toEqual({ routed: ['routed'], returned: ['lost'] });
  });
});
