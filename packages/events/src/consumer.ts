import {
  createManagedChannel,
  publishMandatory,
  type AmqpConnection,
  type ConfirmChannel,
  type ConsumeMessage,
} from '@little-ecom/amqp';
import type { Logger } from '@little-ecom/logger';
import { createScope, runInScope, type Scope } from '@little-ecom/scope';
import { inSpan, type Metrics } from '@little-ecom/telemetry';
import { createBackPressure } from './back-pressure.js';
import { checkEvent, type CheckedEvent } from './contracts/parse.js';
import type { EventEnvelope } from './envelope.js';
import { consumeSpanOptions, consumerMetrics } from './observability.js';
import { declareConsumerTopology, retryQueueFor, type ConsumerTopology } from './topology.js';
import { PoisonMessageError, parseEnvelope } from './wire.js';

export interface ConsumerSettings {
  prefetch: number;
  /** Redeliveries through the retry queues before a failing message is dead-lettered (the delays are the topology's). */
  maxRetries: number;
}

export interface EventConsumer {
  /** True while consumption is paused because the database is unreachable (only with a `probe`). */
  paused(): boolean;
  /**
   * Why the consumer is not subscribed although the broker answers: the broker refused its topology
   * (a queue declared with other arguments, 406 PRECONDITION_FAILED; 403, 404, 405). Null when
   * subscribed, or when only the connection is down (an outage, not a misconfiguration).
   */
  refused(): string | null;
  stop(): Promise<void>;
}

const RETRY_HEADER = 'x-retries';

/**
 * Consumes a service's queue (see consumerTopology). A message is acked only after `handle` stored
 * its effects; `handle` must be idempotent, delivery is at least once. Each event is handled in a
 * scope of its own (its trace a child of the publish): every log line written meanwhile carries the
 * producer's request id (the event's correlation id), the event's id and type.
 * - Poison (bad JSON, unknown type or version, data that does not fit the type's contract) is
 *   rejected to the dead-letter queue at once; a message that crashes the process is dead-lettered
 *   by the quorum queue's delivery limit.
 * - With a `probe`: when handling fails and the database does not answer, that is not the message's fault: the
 *   consumer stops taking messages (cancels its subscription), holds the ones it has, retries them
 *   when the database is back and subscribes again. No retry budget is spent on an outage.
 * - Any other failure goes to the retry queue of its step (fixed delays, so nothing waits behind a
 *   longer delay) and is dead-lettered after `maxRetries`.
 * The channel rebuilds itself (and re-declares the topology and subscribes again) after a lost
 * connection, a closed channel or a consumer cancelled by the broker (queue deleted, node restart).
 */
export function startEventConsumer(deps: {
  connection: AmqpConnection;
  topology: ConsumerTopology;
  /** Gets the event with its data checked against its type's contract. */
  handle: (scope: Scope, event: CheckedEvent) => Promise<void>;
  /** Resolves when the database answers, rejects when it does not (a ping); without one, outages spend retries. */
  probe?: () => Promise<void>;
  logger: Logger;
  settings: ConsumerSettings;
  /** The service's metrics: deliveries, retries and dead letters. */
  metrics?: Metrics;
}): EventConsumer {
  const { topology: t, settings } = deps;
  const counters = consumerMetrics(deps.metrics, t.queue);
  const log = deps.logger;
  let stopped = false;
  let consumerTag: string | null = null;
  let refusedBy: string | null = null;
  const inFlight = new Set<Promise<void>>();

  const backPressure = createBackPressure({
    probe: deps.probe ?? (() => Promise.resolve()),
    logger: log,
    onPause: async () => {
      const ch = managed.current();
      const tag = consumerTag;
      consumerTag = null;
      if (ch && tag) await ch.cancel(tag).catch(() => undefined);
    },
    onResume: async () => {
      const ch = managed.current();
      if (ch && !stopped) await subscribe(ch);
    },
  });

  async function subscribe(ch: ConfirmChannel): Promise<void> {
    if (consumerTag || stopped || backPressure.paused()) return;
    const { consumerTag: tag } = await ch.consume(
      t.queue,
      (msg) => {
        if (!msg) {
          // basic.cancel from the broker: the queue was deleted, or its node went away. A new channel re-declares and re-subscribes.
          consumerTag = null;
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
  }

  const managed = createManagedChannel<ConfirmChannel>(deps.connection, {
    name: `${t.queue} consumer`,
    confirm: true,
    logger: log,
    async setup(ch) {
      consumerTag = null;
      try {
        await declareConsumerTopology(ch, t);
        await ch.prefetch(settings.prefetch);
        await subscribe(ch);
        refusedBy = null;
      } catch (error) {
        // The channel keeps retrying its setup; readiness says why it is not consuming meanwhile.
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'number' && [403, 404, 405, 406].includes(code))
          refusedBy = (error instanceof Error ? error.message : String(error)).slice(0, 300);
        throw error;
      }
    },
  });

  async function onMessage(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
    let event: EventEnvelope;
    try {
      event = parseEnvelope(msg.content);
    } catch (error) {
      log.warn('event dead-lettered', {
        eventId: messageId,
        eventType: msg.fields.routingKey,
        errorCode: 'POISON_MESSAGE',
        err: error,
      });
      counters.deadLettered('poison');
      ch.nack(msg, false, false);
      return;
    }
    const fields = { eventId: event.id, eventType: event.type, requestId: event.correlationId };
    // The producer's request (the correlation id carries it along the chain of events) is the request
    // of everything done for this event: the handlers' log lines show it without anyone adding it.
    const scope = createScope({
      requestId: event.correlationId,
      correlationId: event.correlationId,
      logger: log,
      logFields: { correlationId: event.correlationId, eventId: event.id, eventType: event.type },
    });
    // Bounded: each turn either finishes the message or waits out a database outage first.
    for (let turn = 0; turn < 10_000 && !stopped; turn++) {
      try {
        // A child of the publish span: the handler's work (and its log lines) join the producer's trace.
        await inSpan(`process ${event.type}`, consumeSpanOptions(event, t.queue, msg.properties.headers), () =>
          runInScope(scope, () => deps.handle(scope, checkEvent(event))),
        );
        ch.ack(msg);
        counters.delivered(event.type, 'ok');
        log.debug('event handled', fields);
        return;
      } catch (error) {
        counters.delivered(event.type, 'failed');
        if (error instanceof PoisonMessageError) {
          log.warn('event dead-lettered', { ...fields, errorCode: 'POISON_MESSAGE', err: error });
          counters.deadLettered('poison');
          ch.nack(msg, false, false);
          return;
        }
        if (deps.probe && (await backPressure.unavailable())) {
          // Hold the message (unacked) until the database is back, then handle it again.
          await backPressure.waitUntilAvailable();
          continue;
        }
        await retryLater(ch, msg, fields, error);
        return;
      }
    }
  }

  async function retryLater(ch: ConfirmChannel, msg: ConsumeMessage, fields: Record<string, string>, error: unknown) {
    const retries = Number(msg.properties.headers?.[RETRY_HEADER] ?? 0);
    if (retries >= settings.maxRetries) {
      log.error('event dead-lettered', { ...fields, attempts: retries + 1, errorCode: 'RETRIES_EXHAUSTED', err: error });
      counters.deadLettered('retries_exhausted');
      ch.nack(msg, false, false);
      return;
    }
    counters.retried(fields['eventType']!);
    const step = retryQueueFor(t, retries);
    log.warn('event retry scheduled', { ...fields, attempts: retries + 1, delayMs: step.delayMs, err: error });
    const headers: Record<string, unknown> = { ...msg.properties.headers, [RETRY_HEADER]: retries + 1 };
    delete headers['x-delivery-count'];
    // Ack only once the copy is safely in the retry queue: routed and confirmed by the broker.
    try {
      await copyToRetryQueue(ch, msg, step.name, headers, fields['eventId']!);
    } catch (copyError) {
      // Not acked and not nacked, the message would sit on this channel until RabbitMQ's consumer
      // timeout (30 min). A new channel re-declares the topology (a deleted retry queue comes back)
      // and the broker redelivers every message unacked here; handling is idempotent.
      log.warn('event retry copy failed, reopening the channel', { ...fields, err: copyError });
      managed.reopen('retry copy failed');
      return;
    }
    ch.ack(msg);
  }

  async function copyToRetryQueue(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    queue: string,
    headers: Record<string, unknown>,
    messageId: string,
  ): Promise<void> {
    const { returned } = await publishMandatory(
      ch,
      [
        {
          exchange: '',
          routingKey: queue,
          content: msg.content,
          options: { ...msg.properties, persistent: true, headers, messageId },
        },
      ],
      10_000,
    );
    if (returned.length > 0) throw new Error(`retry queue ${queue} is missing`);
  }

  return {
    paused: () => backPressure.paused(),
    refused: () => (consumerTag ? null : refusedBy),
    async stop() {
      stopped = true;
      backPressure.stop();
      const ch = managed.current();
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => undefined);
      await Promise.all([...inFlight]);
      await managed.close();
    },
  };
}
