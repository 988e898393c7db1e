import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queueSpecs, topologyNames } from './topology.js';

interface Definitions {
  exchanges: { name: string; type: string; durable: boolean }[];
  queues: { name: string; durable: boolean; arguments: Record<string, string> }[];
  bindings: { source: string; destination: string; routing_key: string }[];
}

const definitions = JSON.parse(
  readFileSync(new URL('../../../../infra/rabbitmq/definitions.json', import.meta.url), 'utf8'),
) as Definitions;

describe('infra/rabbitmq/definitions.json', () => {
  const t = topologyNames();

  it('declares exactly the queues, arguments and bindings the service declares at start-up', () => {
    const specs = queueSpecs(t);
    expect(
      definitions.queues.map((q) => ({ name: q.name, arguments: q.arguments })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(specs.map((s) => ({ name: s.name, arguments: s.arguments })).sort((a, b) => a.name.localeCompare(b.name)));
    expect(definitions.queues.every((q) => q.durable)).toBe(true);
    const bindings = specs.flatMap((s) => s.bindings.map((b) => `${b.exchange} -> ${s.name} [${b.routingKey}]`)).sort();
    expect(definitions.bindings.map((b) => `${b.source} -> ${b.destination} [${b.routing_key}]`).sort()).toEqual(bindings);
  });

  it('declares the durable events and dead-letter exchanges', () => {
    expect(definitions.exchanges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: t.exchange, type: 'topic', durable: true }),
        expect.objectContaining({ name: t.deadLetterExchange, type: 'fanout', durable: true }),
      ]),
    );
  });
});
