import type { IndexDescription } from 'mongodb';
import { OUTBOX_FIELD, type EventEnvelope } from './envelope.js';

/**
 * The pending marker: set in the same single-document write that appends to the outbox, to the
 * earliest time the relay should look at the document; removed once the outbox is drained. The relay
 * finds work through an index on it, oldest first, instead of scanning for non-empty arrays.
 */
export const OUTBOX_DUE_FIELD = 'outboxDueAt';

/** The index the relay's scan uses; add it to every outbox collection. */
export const outboxIndex: IndexDescription = { key: { [OUTBOX_DUE_FIELD]: 1 }, name: 'outbox_due' };

/** Fields of a new document that carries `events`: the outbox and, when there is something to publish, the marker. */
export function outboxFields(events: EventEnvelope[], now = new Date()): Record<string, unknown> {
  return events.length > 0 ? { [OUTBOX_FIELD]: events, [OUTBOX_DUE_FIELD]: now } : { [OUTBOX_FIELD]: [] };
}

/**
 * Update operators that append `event` to a document's outbox and mark the document pending, to be
 * merged with the update that makes the change (one write, so one atomic step). `$min` keeps an
 * older due time (a document already waiting keeps its place in line).
 */
export function outboxAppend(event: EventEnvelope, now = new Date()) {
  return { $push: { [OUTBOX_FIELD]: event }, $min: { [OUTBOX_DUE_FIELD]: now } };
}
