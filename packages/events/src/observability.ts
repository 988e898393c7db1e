import type { Db, Document, Filter } from 'mongodb';
import {
  SpanKind,
  counter,
  failSpan,
  gauge,
  startSpan,
  traceHeaders,
  contextFromHeaders,
  type Metrics,
  type Span,
  type TraceCarrier,
} from '@little-ecom/telemetry';
import { OUTBOX_FIELD, type EventEnvelope } from './envelope.js';
import { OUTBOX_DUE_FIELD } from './outbox.js';

/** Attributes of a messaging span (OpenTelemetry semantic conventions for RabbitMQ). */
export function messagingAttributes(event: Pick<EventEnvelope, 'id' | 'type'>, destination: string, operation: string) {
  return {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': operation,
    'messaging.destination.name': destination,
    'messaging.rabbitmq.destination.routing_key': event.type,
    'messaging.message.id': event.id,
  };
}

/**
 * Producer spans for a batch the relay publishes: each a child of the trace its event was written in
 * (the `traceparent` stored with it in the outbox). Events written without a trace get none.
 */
export function startPublishSpans(events: EventEnvelope[], exchange: string) {
  const spans = new Map<string, { span: Span; headers: TraceCarrier }>();
  for (const event of events) {
    if (!event.trace?.['traceparent']) continue;
    const { span, context } = startSpan(`publish ${event.type}`, {
      kind: SpanKind.PRODUCER,
      parent: contextFromHeaders(event.trace),
      attributes: messagingAttributes(event, exchange, 'send'),
    });
    spans.set(event.id, { span, headers: traceHeaders(context) });
  }
  return {
    /** The headers that make the consumer's span a child of this event's publish span. */
    headers: (event: EventEnvelope): TraceCarrier => spans.get(event.id)?.headers ?? {},
    /** Ends them once the broker confirmed; a returned (unroutable) event's span is an error. */
    end(returned: string[]) {
      for (const [id, { span }] of spans) {
        if (returned.includes(id)) failSpan(span, new Error('unroutable: no queue bound for the routing key'));
        else span.end();
      }
    },
    fail(error: unknown) {
      for (const { span } of spans.values()) failSpan(span, error);
    },
  };
}

/** The relay's counters; no-ops without a registry. */
export function relayMetrics(metrics: Metrics | undefined) {
  if (!metrics)
    return { published: () => undefined, returned: () => undefined, confirmed: () => undefined, failed: () => undefined };
  const published = counter(metrics, 'outbox_events_published_total', 'Events the relay published and removed from the outbox', [
    'type',
  ]);
  const returned = counter(
    metrics,
    'outbox_events_returned_total',
    'Events the broker returned as unroutable (kept in the outbox)',
    ['type'],
  );
  const confirms = counter(metrics, 'outbox_publish_confirms_total', 'Broker confirms of published events, by outcome', [
    'result',
  ]);
  return {
    published: (events: EventEnvelope[]) => {
      for (const event of events) published.inc({ type: event.type });
    },
    returned: (event: EventEnvelope) => returned.inc({ type: event.type }),
    confirmed: (count: number) => confirms.inc({ result: 'ack' }, count),
    failed: (count: number) => confirms.inc({ result: 'failed' }, count),
  };
}

/**
 * The outbox backlog, read when scraped: documents with pending events and the age of the oldest
 * one's due time (the relay's lag), per collection. Uses the relay's own index.
 */
export function outboxGauges(metrics: Metrics, db: Db, collections: string[]): void {
  const pending: Filter<Document> = { [OUTBOX_DUE_FIELD]: { $exists: true }, [`${OUTBOX_FIELD}.0`]: { $exists: true } };
  gauge(
    metrics,
    'outbox_pending_documents',
    'Documents whose outbox holds events not yet published',
    ['collection'],
    async (g) => {
      for (const name of collections) g.set({ collection: name }, await db.collection(name).countDocuments(pending));
    },
  );
  gauge(
    metrics,
    'outbox_oldest_pending_age_seconds',
    'Age of the oldest pending outbox event (0 when none)',
    ['collection'],
    async (g) => {
      for (const name of collections) {
        const [oldest] = await db
          .collection(name)
          .find(pending, { projection: { [OUTBOX_DUE_FIELD]: 1 } })
          .sort({ [OUTBOX_DUE_FIELD]: 1 })
          .limit(1)
          .toArray();
        const due = oldest?.[OUTBOX_DUE_FIELD] as Date | undefined;
        g.set({ collection: name }, due ? Math.max(0, (Date.now() - due.getTime()) / 1000) : 0);
      }
    },
  );
}

/** The consumer side: deliveries, retries and dead letters by event type and outcome. */
export function consumerMetrics(metrics: Metrics | undefined, queue: string) {
  if (!metrics) return { delivered: () => undefined, retried: () => undefined, deadLettered: () => undefined };
  const deliveries = counter(metrics, 'consumer_deliveries_total', 'Messages handled by the event consumer, by outcome', [
    'queue',
    'type',
    'outcome',
  ]);
  const retries = counter(metrics, 'consumer_retries_total', 'Messages sent to a retry queue', ['queue', 'type']);
  const dead = counter(metrics, 'consumer_dead_letters_total', 'Messages dead-lettered, by reason', ['queue', 'reason']);
  return {
    delivered: (type: string, outcome: 'ok' | 'failed') => deliveries.inc({ queue, type, outcome }),
    retried: (type: string) => retries.inc({ queue, type }),
    deadLettered: (reason: 'poison' | 'retries_exhausted') => dead.inc({ queue, reason }),
  };
}

/** Runs the handling of a consumed message in a consumer span, a child of its publish span (AMQP `traceparent` header). */
export function consumeSpanOptions(
  event: Pick<EventEnvelope, 'id' | 'type'>,
  queue: string,
  headers: Record<string, unknown> | undefined,
) {
  return {
    kind: SpanKind.CONSUMER,
    parent: contextFromHeaders(headers),
    attributes: messagingAttributes(event, queue, 'process'),
  };
}
