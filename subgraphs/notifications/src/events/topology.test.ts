import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allConsumerTopologies, queueSpecs } from '@little-ecom/events';
import { notificationsTopology } from './topology.js';

interface Definitions {
  exchanges: { name: string; type: string; durable: boolean }[];
  queues: { name: string; durable: boolean; arguments: Record<string, string> }[];
  bindings: { source: string; destination: string; routing_key: string }[];
}

const definitions = JSON.parse(
  readFileSync(new URL('../../../../infra/rabbitmq/definitions.json', import.meta.url), 'utf8'),
) as Definitions;

describe('infra/rabbitmq/definitions.json', () => {
  const t = notificationsTopology();

  it('is what the shared topology says notifications declares', () => {
    expect(allConsumerTopologies('').notifications).toEqual(t);
  });

  it('declares exactly the queues, arguments and bindings every consumer (notifications, products, orders) declares at start-up', () => {
    const specs = Object.values(allConsumerTopologies('')).flatMap((c) => queueSpecs(c));
    expect(
      definitions.queues.map((q) => ({ name: q.name, arguments: q.arguments })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(specs.map((s) => ({ name: s.name, arguments: s.arguments })).sort((a, b) => a.name.localeCompare(b.name)));
    expect(definitions.queues.every((q) => q.durable)).toBe(true);
    const bindings = specs.flatMap((s) => s.bindings.map((b) => `${b.exchange} -> ${s.name} [${b.routingKey}]`)).sort();
    expect(definitions.bindings.map((b) => `${b.source} -> ${b.destination} [${b.routing_key}]`).sort()).toEqual(bindings);
  });

  it('uses quorum queues with a delivery limit, at-least-once dead-lettering and one fixed-delay queue per retry step', () => {
    const specs = queueSpecs(t);
    expect(specs.every((s) => s.arguments['x-queue-type'] === 'quorum')).toBe(true);
    const main = specs.find((s) => s.name === t.queue)!;
    expect(typeof main.arguments['x-delivery-limit']).toBe('number');
    expect(main.arguments['x-dead-letter-strategy']).toBe('at-least-once');
    const retries = specs.filter((s) => t.retryQueues.some((r) => r.name === s.name));
    expect(retries.map((s) => s.arguments['x-message-ttl'])).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(retries.every((s) => s.arguments['x-dead-letter-routing-key'] === t.queue)).toBe(true);
  });

  it('declares the durable events and dead-letter exchanges', () => {
    expect(definitions.exchanges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: t.exchange, type: 'topic', durable: true }),
        ...Object.values(allConsumerTopologies('')).map(
          (c): unknown => expect.objectContaining({ name: c.deadLetterExchange, type: 'fanout', durable: true }) as unknown,
        ),
      ]),
    );
  });
});
