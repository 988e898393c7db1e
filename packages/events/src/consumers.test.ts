import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { createAmqpConnection } from '@little-ecom/amqp';
import { createLogger } from '@little-ecom/logger';
import { createMetrics } from '@little-ecom/telemetry';
import { testEnv } from '@little-ecom/testing';
import { EVENT_TYPES } from './contracts/registry.js';
import { allConsumerTopologies, bindingMatches, consumersOf, declareEventTopology } from './consumers.js';
import { deleteConsumerTopology } from './topology.js';

const prefix = `test-${randomUUID().slice(0, 8)}.`;
afterAll(async () => {
  const model = await amqp.connect(testEnv.amqpUrl);
  const channel = await model.createChannel();
  for (const t of Object.values(allConsumerTopologies(prefix))) await deleteConsumerTopology(channel, t).catch(() => undefined);
  await model.close().catch(() => undefined);
});

describe('the shared consumer topology', () => {
  it('matches topic bindings like RabbitMQ', () => {
    expect(bindingMatches('product.*', 'product.updated')).toBe(true);
    expect(bindingMatches('product.*', 'product.updated.v2')).toBe(false);
    expect(bindingMatches('#', 'a.b')).toBe(true);
    expect(bindingMatches('order.placed', 'order.cancelled')).toBe(false);
  });

  it('sends every event type to at least one consumer, order.placed to products and notifications', () => {
    for (const type of EVENT_TYPES) expect(consumersOf(type).length, type).toBeGreaterThan(0);
    expect(consumersOf('order.placed').sort()).toEqual(['notifications', 'products']);
    expect(consumersOf('product.updated').sort()).toEqual(['notifications', 'orders']);
  });

  it('alerts (log and metric) when a routing key reaches fewer queues than expected', async () => {
    // Products' queue left behind with other arguments (a classic queue): declaring it fails (406).
    const model = await amqp.connect(testEnv.amqpUrl);
    const channel = await model.createChannel();
    await channel.assertQueue(`${prefix}products.events`, { durable: true });
    await model.close();

    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'info',
      write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>),
    });
    const connection = createAmqpConnection({ url: testEnv.amqpUrl, name: `topology-${prefix}`, logger });
    const metrics = createMetrics({ processMetrics: false });
    try {
      const check = await declareEventTopology(connection, { exchange: `${prefix}little-ecom.events`, logger, metrics });
      expect(check.missing).toEqual({
        'order.placed': [`${prefix}products.events`],
        'order.cancelled': [`${prefix}products.events`],
        'order.shipped': [`${prefix}products.events`],
        'order.rejected': [`${prefix}products.events`],
      });
      const alerted = logs
        .filter((l) => l['msg'] === 'routing key has fewer queues than expected')
        .map((l) => String(l['routingKey']));
      expect(alerted.sort()).toEqual(['order.cancelled', 'order.placed', 'order.rejected', 'order.shipped']);
      const text = await metrics.metrics();
      expect(text).toContain('events_topology_missing_queues{routing_key="order.placed"} 1');
      expect(text).toContain('events_topology_missing_queues{routing_key="product.updated"} 0');
    } finally {
      await connection.close();
    }
  });
});
