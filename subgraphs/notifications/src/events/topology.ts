import type { Channel } from '@little-ecom/amqp';
import { EVENTS_EXCHANGE, declareEventsExchange } from '@little-ecom/events';

/** Every exchange and queue notifications uses; mirrored in infra/rabbitmq/definitions.json. */
export interface Topology {
  exchange: string;
  /** Where notifications consumes every event it cares about. */
  queue: string;
  /** Holds a message for its `expiration`, then dead-letters it back to `queue`: delayed redelivery. */
  retryQueue: string;
  deadLetterExchange: string;
  /** Poison messages and messages that ran out of retries; inspect and replay from here. */
  deadLetterQueue: string;
}

/** Names for a prefix ('' in production; unique per test run in tests). */
export function topologyNames(prefix = ''): Topology {
  return {
    exchange: `${prefix}${EVENTS_EXCHANGE}`,
    queue: `${prefix}notifications.events`,
    retryQueue: `${prefix}notifications.events.retry`,
    deadLetterExchange: `${prefix}notifications.dlx`,
    deadLetterQueue: `${prefix}notifications.events.dead-letter`,
  };
}

/** Routing keys the notifications queue is bound to. */
export const BINDINGS = ['user.*', 'product.*'];

export interface QueueSpec {
  name: string;
  arguments: Record<string, string>;
  /** Exchange and routing keys it is bound to. */
  bindings: { exchange: string; routingKey: string }[];
}

/** Every queue with its arguments and bindings: the one description both start-up and definitions.json follow. */
export function queueSpecs(t: Topology): QueueSpec[] {
  return [
    { name: t.deadLetterQueue, arguments: {}, bindings: [{ exchange: t.deadLetterExchange, routingKey: '' }] },
    {
      name: t.queue,
      arguments: { 'x-dead-letter-exchange': t.deadLetterExchange },
      bindings: BINDINGS.map((routingKey) => ({ exchange: t.exchange, routingKey })),
    },
    // Expired messages go back to the main queue through the default exchange.
    { name: t.retryQueue, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.queue }, bindings: [] },
  ];
}

/** Declares the topology; idempotent, run on every (re)connect. */
export async function declareTopology(channel: Channel, t: Topology): Promise<void> {
  await declareEventsExchange(channel, t.exchange);
  await channel.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  for (const spec of queueSpecs(t)) {
    await channel.assertQueue(spec.name, { durable: true, arguments: spec.arguments });
    for (const binding of spec.bindings) await channel.bindQueue(spec.name, binding.exchange, binding.routingKey);
  }
}

/** Deletes everything `declareTopology` made; for tests. The shared exchange is left alone unless prefixed. */
export async function deleteTopology(channel: Channel, t: Topology): Promise<void> {
  for (const queue of [t.queue, t.retryQueue, t.deadLetterQueue]) await channel.deleteQueue(queue);
  await channel.deleteExchange(t.deadLetterExchange);
  if (t.exchange !== EVENTS_EXCHANGE) await channel.deleteExchange(t.exchange);
}
