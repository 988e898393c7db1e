import type { AmqpConnection, ConfirmChannel, ConsumeMessage } from '@little-ecom/amqp';
import { PoisonMessageError, parseEnvelope, type EventEnvelope } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { declareTopology, type Topology } from './topology.js';

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
 * Consumes the notifications queue. A message is acked only after its effects are stored; a poison
 * message (bad JSON, unknown type or version, invalid data) is rejected to the dead-letter queue; a
 * transient failure (e.g. the database is away) goes to the retry queue with a growing delay and is
 * dead-lettered after `maxRetries`. The consumer comes back by itself after the broker does.
 */
export function startEventConsumer(deps: {
  connection: AmqpConnection;
  topology: Topology;
  handle: (event: EventEnvelope) => Promise<void>;
  logger: Logger;
  settings: ConsumerSettings;
}): EventConsumer {
  const { topology: t, settings } = deps;
  const log = deps.logger;
  let channel: ConfirmChannel | null = null;
  let consumerTag: string | null = null;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

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
      ch.nack(msg, false, false);
      return;
    }
    const fields = { eventId: event.id, eventType: event.type, requestId: event.correlationId };
    try {
      await deps.handle(event);
      ch.ack(msg);
      log.debug('event handled', fields);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        log.warn('event dead-lettered', { ...fields, errorCode: 'POISON_MESSAGE', err: error });
        ch.nack(msg, false, false);
        return;
      }
      const retries = Number(msg.properties.headers?.[RETRY_HEADER] ?? 0);
      if (retries >= settings.maxRetries) {
        log.error('event dead-lettered', { ...fields, attempts: retries + 1, errorCode: 'RETRIES_EXHAUSTED', err: error });
        ch.nack(msg, false, false);
        return;
      }
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

  void deps.connection.onConnect(async (model) => {
    if (stopped) return;
    const ch = await model.createConfirmChannel();
    ch.on('error', (error: Error) => log.warn('consumer channel error', { err: error }));
    ch.on('close', () => {
      if (channel === ch) channel = null;
    });
    await declareTopology(ch, t);
    await ch.prefetch(settings.prefetch);
    const { consumerTag: tag } = await ch.consume(
      t.queue,
      (msg) => {
        if (!msg) return; // cancelled by the broker (queue deleted); the connection setup re-subscribes on reconnect
        const work = onMessage(ch, msg).catch((error: unknown) => {
          // The channel went away mid-message: the broker redelivers it; handling is idempotent.
          log.warn('event left unacknowledged', { eventId: msg.properties.messageId as string | undefined, err: error });
        });
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      },
      { noAck: false },
    );
    channel = ch;
    consumerTag = tag;
  });

  return {
    async stop() {
      stopped = true;
      const ch = channel;
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => undefined);
      await Promise.all([...inFlight]);
      channel = null;
      await ch?.close().catch(() => undefined);
    },
  };
}
