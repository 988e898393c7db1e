import {
  createManagedChannel,
  type AmqpConnection,
  type Channel,
  type ConfirmChannel,
  type ConsumeMessage,
} from '@little-ecom/amqp';
import type { Logger } from '@little-ecom/logger';
import { inSpan, type Metrics } from '@little-ecom/telemetry';
import { checkEvent, type CheckedEvent } from './contracts/parse.js';
import { EVENTS_EXCHANGE, type EventEnvelope } from './envelope.js';
import { consumeSpanOptions, consumerMetrics } from './observability.js';
import { declareEventsExchange } from './relay.js';
import { PoisonMessageError, parseEnvelope } from './wire.js';

/**
 * A service's durable queue on the events exchange, with a delayed-retry queue and a dead-letter
 * queue: the same shape the notifications consumer uses, for any service that consumes events.
 */
export interface ConsumerTopology {
  exchange: string;
  queue: string;
  /** Holds a message for its `expiration`, then dead-letters it back to `queue`: delayed redelivery. */
  retryQueue: string;
  deadLetterExchange: string;
  /** Poison messages and messages that ran out of retries. */
  deadLetterQueue: string;
  /** Routing keys `queue` is bound to. */
  bindings: string[];
}

/** Names for `service`'s queues under a prefix ('' in production; unique per test run in tests). */
export function consumerTopology(service: string, bindings: string[], prefix = ''): ConsumerTopology {
  return {
    exchange: `${prefix}${EVENTS_EXCHANGE}`,
    queue: `${prefix}${service}.events`,
    retryQueue: `${prefix}${service}.events.retry`,
    deadLetterExchange: `${prefix}${service}.dlx`,
    deadLetterQueue: `${prefix}${service}.events.dead-letter`,
    bindings,
  };
}

/** Every queue and exchange name of a topology, e.g. to delete them after a test. */
export const topologyObjectNames = (t: ConsumerTopology): string[] => [
  t.queue,
  t.retryQueue,
  t.deadLetterQueue,
  t.deadLetterExchange,
];

/**
 * Deliveries of one message (redeliveries after a crash or a lost channel included) before the quorum
 * queue dead-letters it, so a message that kills the process every time cannot loop forever.
 */
export const CONSUMER_DELIVERY_LIMIT = 10;

/**
 * Declares the topology; idempotent, run on every new channel. Main and dead-letter queues are quorum
 * queues with at-least-once dead-lettering, like the notifications queues.
 */
export async function declareConsumerTopology(channel: Channel, t: ConsumerTopology): Promise<void> {
  await declareEventsExchange(channel, t.exchange);
  await channel.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(t.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(t.deadLetterQueue, t.deadLetterExchange, '');
  await channel.assertQueue(t.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
      'x-dead-letter-exchange': t.deadLetterExchange,
      'x-delivery-limit': CONSUMER_DELIVERY_LIMIT,
    },
  });
  for (const key of t.bindings) await channel.bindQueue(t.queue, t.exchange, key);
  // Expired messages go back to the main queue through the default exchange.
  await channel.assertQueue(t.retryQueue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.queue },
  });
}

export interface ConsumerSettings {
  prefetch: number;
  /** Redeliveries through the retry queue before a failing message is dead-lettered. */
  maxRetries: number;
  retryDelayMs: number;
}

export interface EventConsumer {
  stop(): Promise<void>;
}

const RETRY_HEADER = 'x-retries';

/**
 * Consumes a service's queue. A message is acked only after `handle` stored its effects; a poison
 * message (bad envelope, or `handle` throws PoisonMessageError) is dead-lettered; any other failure
 * goes to the retry queue with a growing delay and is dead-lettered after `maxRetries`. Resubscribes
 * by itself after the broker comes back. `handle` must be idempotent: delivery is at least once.
 */
export function startEventConsumer(deps: {
  connection: AmqpConnection;
  topology: ConsumerTopology;
  /** Gets the event with its data checked against its type's contract (a mismatch is dead-lettered). */
  handle: (event: CheckedEvent) => Promise<void>;
  logger: Logger;
  settings: ConsumerSettings;
  /** The service's metrics: deliveries, retries and dead letters. */
  metrics?: Metrics;
}): EventConsumer {
  const { topology: t, settings, logger: log } = deps;
  const counters = consumerMetrics(deps.metrics, t.queue);
  let consumerTag: string | null = null;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  async function onMessage(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(msg.content);
    } catch (error) {
      log.warn('event dead-lettered', { eventType: msg.fields.routingKey, errorCode: 'POISON_MESSAGE', err: error });
      counters.deadLettered('poison');
      ch.nack(msg, false, false);
      return;
    }
    const fields = { eventId: event.id, eventType: event.type, requestId: event.correlationId };
    try {
      // A child of the publish span: the handler's work (and its log lines) join the producer's trace.
      await inSpan(`process ${event.type}`, consumeSpanOptions(event, t.queue, msg.properties.headers), () =>
        deps.handle(checkEvent(event)),
      );
      ch.ack(msg);
      counters.delivered(event.type, 'ok');
      log.debug('event handled', fields);
    } catch (error) {
      counters.delivered(event.type, 'failed');
      if (error instanceof PoisonMessageError) {
        log.warn('event dead-lettered', { ...fields, errorCode: 'POISON_MESSAGE', err: error });
        counters.deadLettered('poison');
        ch.nack(msg, false, false);
        return;
      }
      const retries = Number(msg.properties.headers?.[RETRY_HEADER] ?? 0);
      if (retries >= settings.maxRetries) {
        log.error('event dead-lettered', { ...fields, attempts: retries + 1, errorCode: 'RETRIES_EXHAUSTED', err: error });
        counters.deadLettered('retries_exhausted');
        ch.nack(msg, false, false);
        return;
      }
      counters.retried(event.type);
      const delay = Math.min(settings.retryDelayMs * 2 ** retries, 10 * 60_000);
      log.warn('event retry scheduled', { ...fields, attempts: retries + 1, err: error });
      // Ack only once the copy is safely in the retry queue: confirmed by the broker.
      ch.sendToQueue(t.retryQueue, msg.content, {
        ...msg.properties,
        persistent: true,
        expiration: String(delay),
        headers: { ...msg.properties.headers, [RETRY_HEADER]: retries + 1 },
      });
      await ch.waitForConfirms();
      ch.ack(msg);
    }
  }

  // Rebuilds itself (topology, prefetch, subscription) after a lost connection, a closed channel or a
  // consumer the broker cancelled (queue deleted, node restart).
  const managed = createManagedChannel<ConfirmChannel>(deps.connection, {
    name: `${t.queue} consumer`,
    confirm: true,
    logger: log,
    async setup(ch) {
      if (stopped) return;
      await declareConsumerTopology(ch, t);
      await ch.prefetch(settings.prefetch);
      const { consumerTag: tag } = await ch.consume(
        t.queue,
        (msg) => {
          if (!msg) {
            managed.reopen('consumer cancelled by the broker');
            return;
          }
          const work = onMessage(ch, msg).catch((error: unknown) => {
            // The channel went away mid-message: the broker redelivers it; handling is idempotent.
            log.warn('event left unacknowledged', { eventId: msg.properties.messageId as string | undefined, err: error });
          });
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work));
        },
        { noAck: false },
      );
      consumerTag = tag;
    },
  });

  return {
    async stop() {
      stopped = true;
      const ch = managed.current();
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => undefined);
      await Promise.all([...inFlight]);
      await managed.close();
    },
  };
}
