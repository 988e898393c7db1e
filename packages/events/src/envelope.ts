import { randomUUID } from 'node:crypto';
import { traceHeaders, type TraceCarrier } from '@little-ecom/telemetry';
import { eventContracts, type EventData, type EventType } from './contracts/registry.js';

/** The topic exchange every event goes through. */
export const EVENTS_EXCHANGE = 'little-ecom.events';

export { EVENT_TYPES, type EventType } from './contracts/registry.js';

/** Current envelope version; consumers dead-letter versions they do not know. */
export const ENVELOPE_VERSION = 1;

/** What travels on the wire, as JSON. */
export interface EventEnvelope<TData = Record<string, unknown>> {
  id: string;
  type: EventType;
  version: number;
  /** ISO 8601. */
  occurredAt: string;
  /** The service that made the change, e.g. `products`. */
  source: string;
  /** The request that caused the event (`x-request-id`), for tracing across services. */
  correlationId: string;
  data: TData;
  /**
   * The trace context of the change that caused the event (W3C `traceparent`), stored with it in the
   * outbox; the relay sends it as AMQP headers, never in the body. Absent when tracing is off.
   */
  trace?: TraceCarrier;
}

/**
 * Name of the array field that holds a document's not-yet-published events. A state change and its
 * event are written in the same single-document update (FerretDB v1 has no multi-document
 * transactions), and the relay publishes and then removes them in order.
 */
export const OUTBOX_FIELD = 'outbox';

/**
 * Builds an envelope for `type`; the id doubles as the AMQP messageId and the consumers' dedup key.
 * `data` must fit the type's schema: by type at compile time, and checked again here so a producer
 * bug fails the write that caused it instead of poisoning consumers later.
 */
export function buildEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  meta: { source: string; correlationId: string; occurredAt?: Date },
): EventEnvelope<EventData<T>> {
  const checked = eventContracts[type].safeParse(data);
  if (!checked.success) {
    const where = checked.error.issues.map((i) => i.path.map(String).join('.') || '(root)').join(', ');
    throw new TypeError(`${type} data does not fit its contract (${where})`);
  }
  const trace = traceHeaders();
  return {
    id: randomUUID(),
    type,
    version: ENVELOPE_VERSION,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    source: meta.source,
    correlationId: meta.correlationId,
    data: checked.data as EventData<T>,
    ...(trace['traceparent'] ? { trace } : {}),
  };
}
