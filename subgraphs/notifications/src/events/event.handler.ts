import type { CheckedEvent, EventType } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { HandlerDeps, Handler } from './handlers/deps.js';
import { eventHandlers } from './handlers/registry.js';

/** What the consumer's handler is built from: everything a handler may use but the event's scope. */
export type EventHandlerDeps = Omit<HandlerDeps, 'scope'>;

/**
 * Turns one event, its data already checked against its contract by the consumer, into its effects
 * in this service's database by the handler of its type. Everything is idempotent, so a redelivered
 * event changes nothing. The handlers log with the event's scope (the consumer's), so their lines carry
 * the producer's request id and the event's id and type without being given them.
 */
export function createEventHandler(deps: EventHandlerDeps) {
  return async function handle(scope: Scope, event: CheckedEvent): Promise<void> {
    const handler = eventHandlers[event.type] as Handler<EventType> | undefined;
    if (handler) await handler(event, { ...deps, scope, logger: scope.logger });
  };
}
