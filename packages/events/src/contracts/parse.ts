import { PoisonMessageError } from '../wire.js';
import type { EventEnvelope } from '../envelope.js';
import { eventContracts, type EventData, type EventType } from './registry.js';

/** An envelope whose `data` has been checked against its type's schema. */
export type CheckedEvent<T extends EventType = EventType> = { [K in T]: EventEnvelope<EventData<K>> & { type: K } }[T];

const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues
    .slice(0, 5)
    .map((i) => `data.${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/**
 * The consumer side of the contract: checks `event.data` with the schema its type names. Data that
 * does not fit is poison (no retry can fix it), so this throws PoisonMessageError. Only field paths
 * go into the message, never values: a value may be a secret.
 */
export function checkEvent(event: EventEnvelope): CheckedEvent {
  const schema = eventContracts[event.type] as (typeof eventContracts)[EventType] | undefined;
  if (!schema) throw new PoisonMessageError(`unknown event type ${String(event.type)}`);
  const result = schema.safeParse(event.data);
  if (!result.success) throw new PoisonMessageError(`${event.type}: ${describeIssues(result.error.issues)}`);
  return { ...event, data: result.data } as CheckedEvent;
}
