import { checkEvent, type EventEnvelope, type EventType } from '@little-ecom/events';
import type { HandlerDeps, Handler } from './handlers/deps.js';
import { eventHandlers } from './handlers/registry.js';

export type EventHandlerDeps = HandlerDeps;

/**
 * Turns one event into its effects in this service's database: checks its data against the
 * event's contract (a mismatch is poison), then runs the handler of its type. Everything is
 * idempotent, so a redelivered event changes nothing.
 */
export function createEventHandler(deps: HandlerDeps) {
  return async function handle(event: EventEnvelope): Promise<void> {
    const checked = checkEvent(event);
    const handler = eventHandlers[checked.type] as Handler<EventType> | undefined;
    if (handler) await handler(checked, deps);
  };
}

export type EventHandler = ReturnType<typeof createEventHandler>;
