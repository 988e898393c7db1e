import type { CheckedEvent, EventType } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { OrderService } from '../orders/order.service.js';

/** What a handler may use: the event's scope and the services (handlers never reach a repository). */
export interface HandlerContext {
  scope: Scope;
  orders: OrderService;
  catalog: CatalogService;
}

/** Handles one checked event of type `T`; must be idempotent (events arrive at least once). */
type Handler<T extends EventType> = (event: CheckedEvent<T>, context: HandlerContext) => Promise<void>;

/** The events orders acts on, by routing key: products' answers to order.placed, and the product.* events of its catalog view. */
const eventHandlers: { [T in EventType]?: Handler<T> } = {
  // The saga: both steps are no-ops unless the order is still PENDING.
  'stock.reserved': (event, { scope, orders }) =>
    orders.confirm(
      scope,
      event.data.orderId,
      event.data.items.map((l) => ({ ...l, unitPrice: { ...l.unitPrice } })),
    ),
  'stock.rejected': (event, { scope, orders }) => orders.reject(scope, event.data.orderId, event.data.reason),
  'product.created': (event, { catalog }) => catalog.productCreated(event.data),
  'product.updated': (event, { catalog }) => catalog.productUpdated(event.data),
  'product.deleted': (event, { catalog }) => catalog.productDeleted(event.data),
};

/** The routing keys orders' queue is bound to: exactly the events it has a handler for. */
export const EVENT_BINDINGS = Object.keys(eventHandlers);

/**
 * Turns one event, its data already checked against its contract by the consumer, into its effects
 * by the handler of its type.
 */
export function createEventHandler(services: Omit<HandlerContext, 'scope'>) {
  return async function handle(scope: Scope, event: CheckedEvent): Promise<void> {
    const handler = eventHandlers[event.type] as Handler<EventType> | undefined;
    if (handler) await handler(event, { scope, ...services });
  };
}
