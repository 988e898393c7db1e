import type { Channel } from '@little-ecom/amqp';
import { EVENTS_EXCHANGE } from './envelope.js';
import { declareEventsExchange } from './relay.js';

/** How often and how long a transiently failing event is retried before it is dead-lettered. */
export interface RetrySettings {
  maxRetries: number;
  /** Delay before the first retry; doubles per retry, up to 10 minutes. */
  retryDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = Object.freeze({ maxRetries: 5, retryDelayMs: 1_000 });

/**
 * Deliveries of one message (redeliveries after a crash or a lost channel included) before the
 * quorum queue dead-letters it: a message that kills the process every time cannot loop forever.
 */
export const CONSUMER_DELIVERY_LIMIT = 10;

const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** A consuming service's queues on the events exchange. Notifications' are mirrored in infra/rabbitmq/definitions.json. */
export interface ConsumerTopology {
  exchange: string;
  /** Where the service consumes every event it cares about. */
  queue: string;
  /** Routing keys `queue` is bound to. */
  bindings: string[];
  /**
   * One queue per retry step, each with its own fixed TTL, dead-lettering back to `queue` when it
   * expires: every message in a queue waits the same time, so none waits behind a longer one.
   */
  retryQueues: { name: string; delayMs: number }[];
  deadLetterExchange: string;
  /** Poison messages and messages that ran out of retries; inspect and replay from here. */
  deadLetterQueue: string;
}

/** Names for `service`'s queues under a prefix ('' in production; unique per test run in tests) and retry policy. */
export function consumerTopology(
  service: string,
  bindings: string[],
  prefix = '',
  retry: RetrySettings = DEFAULT_RETRY,
): ConsumerTopology {
  const delays = new Set<number>();
  for (let i = 0; i < Math.max(1, retry.maxRetries); i++) delays.add(Math.min(retry.retryDelayMs * 2 ** i, MAX_RETRY_DELAY_MS));
  return {
    exchange: `${prefix}${EVENTS_EXCHANGE}`,
    queue: `${prefix}${service}.events`,
    bindings,
    retryQueues: [...delays].map((delayMs) => ({ name: `${prefix}${service}.events.retry.${delayMs}ms`, delayMs })),
    deadLetterExchange: `${prefix}${service}.dlx`,
    deadLetterQueue: `${prefix}${service}.events.dead-letter`,
  };
}

/** The retry queue for the `retries`-th retry (0-based); the last step repeats. */
export function retryQueueFor(t: ConsumerTopology, retries: number) {
  return t.retryQueues[Math.min(retries, t.retryQueues.length - 1)]!;
}

export interface QueueSpec {
  name: string;
  arguments: Record<string, string | number>;
  /** Exchange and routing keys it is bound to. */
  bindings: { exchange: string; routingKey: string }[];
}

// Quorum queues: replicated on a RabbitMQ cluster, with a delivery limit and at-least-once
// dead-lettering (which needs reject-publish overflow). Queue type cannot change in place: see
// docs/events.md for the migration from the classic queues.
const QUORUM = { 'x-queue-type': 'quorum' } as const;
const AT_LEAST_ONCE_DLX = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } as const;

/** Every queue with its arguments and bindings: the one description both start-up and definitions.json follow. */
export function queueSpecs(t: ConsumerTopology): QueueSpec[] {
  return [
    { name: t.deadLetterQueue, arguments: { ...QUORUM }, bindings: [{ exchange: t.deadLetterExchange, routingKey: '' }] },
    {
      name: t.queue,
      arguments: {
        ...QUORUM,
        ...AT_LEAST_ONCE_DLX,
        'x-dead-letter-exchange': t.deadLetterExchange,
        'x-delivery-limit': CONSUMER_DELIVERY_LIMIT,
      },
      bindings: t.bindings.map((routingKey) => ({ exchange: t.exchange, routingKey })),
    },
    // Expired messages go back to the main queue through the default exchange.
    ...t.retryQueues.map((retry) => ({
      name: retry.name,
      arguments: {
        ...QUORUM,
        ...AT_LEAST_ONCE_DLX,
        'x-message-ttl': retry.delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': t.queue,
      },
      bindings: [],
    })),
  ];
}

/** Declares the topology; idempotent, run on every new channel. */
export async function declareConsumerTopology(channel: Channel, t: ConsumerTopology): Promise<void> {
  await declareEventsExchange(channel, t.exchange);
  await channel.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  for (const spec of queueSpecs(t)) {
    await channel.assertQueue(spec.name, { durable: true, arguments: spec.arguments });
    for (const binding of spec.bindings) await channel.bindQueue(spec.name, binding.exchange, binding.routingKey);
  }
}

/** Every queue and exchange name of a topology but the shared events exchange, e.g. to delete them after a test. */
export const topologyObjectNames = (t: ConsumerTopology): string[] => [
  t.queue,
  ...t.retryQueues.map((r) => r.name),
  t.deadLetterQueue,
  t.deadLetterExchange,
];

/** Deletes everything `declareConsumerTopology` made; for tests. The shared exchange is left alone unless prefixed. */
export async function deleteConsumerTopology(channel: Channel, t: ConsumerTopology): Promise<void> {
  for (const queue of [t.queue, ...t.retryQueues.map((r) => r.name), t.deadLetterQueue]) await channel.deleteQueue(queue);
  await channel.deleteExchange(t.deadLetterExchange);
  if (t.exchange !== EVENTS_EXCHANGE) await channel.deleteExchange(t.exchange);
}
