import { randomUUID } from 'node:crypto';

/** The topic exchange every event goes through. */
export const EVENTS_EXCHANGE = 'little-ecom.events';

/** Routing keys, which are also the envelope `type`. */
export const EVENT_TYPES = [
  'product.created',
  'product.updated',
  'product.deleted',
  'user.registered',
  'user.updated',
  'user.password_reset_requested',
  'order.placed',
  'order.confirmed',
  'order.rejected',
  'order.cancelled',
  'order.shipped',
  'stock.reserved',
  'stock.rejected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

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
}

/**
 * Name of the array field that holds a document's not-yet-published events. A state change and its
 * event are written in the same single-document update (FerretDB v1 has no multi-document
 * transactions), and the relay publishes and then removes them in order.
 */
export const OUTBOX_FIELD = 'outbox';

/** Builds an envelope for `type`; the id doubles as the AMQP messageId and the consumers' dedup key. */
export function buildEvent<TData extends Record<string, unknown>>(
  type: EventType,
  data: TData,
  meta: { source: string; correlationId: string; occurredAt?: Date },
): EventEnvelope<TData> {
  return {
    id: randomUUID(),
    type,
    version: ENVELOPE_VERSION,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    source: meta.source,
    correlationId: meta.correlationId,
    data,
  };
}
