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

/** Declares the topology; idempotent, run on every (re)connect. */
export async function declareTopology(channel: Channel, t: Topology): Promise<void> {
  await declareEventsExchange(channel, t.exchange);
  await channel.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(t.deadLetterQueue, { durable: true });
  await channel.bindQueue(t.deadLetterQueue, t.deadLetterExchange, '');
  await channel.assertQueue(t.queue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': t.deadLetterExchange },
  });
  for (const key of BINDINGS) await channel.bindQueue(t.queue, t.exchange, key);
  // Expired messages go back to the main queue through the default exchange.
  await channel.assertQueue(t.retryQueue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.queue },
  });
}

/** Deletes everything `declareTopology` made; for tests. The shared exchange is left alone unless prefixed. */
export async function deleteTopology(channel: Channel, t: Topology): Promise<void> {
  for (const queue of [t.queue, t.retryQueue, t.deadLetterQueue]) await channel.deleteQueue(queue);
  await channel.deleteExchange(t.deadLetterExchange);
  if (t.exchange !== EVENTS_EXCHANGE) await channel.deleteExchange(t.exchange);
}
