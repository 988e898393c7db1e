import type { CheckedEvent } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { OrderService } from './order.service.js';

/** The products side's answers to order.placed. */
export const SAGA_BINDINGS = ['stock.reserved', 'stock.rejected'];

/**
 * Moves orders on when products answers; both steps are no-ops unless the order is still PENDING.
 * The data is checked against the stock.* contracts by the consumer.
 */
export function createSagaHandler(deps: { orders: OrderService }) {
  return async (scope: Scope, event: CheckedEvent): Promise<void> => {
    if (event.type === 'stock.reserved') {
      const lines = event.data.items.map((l) => ({ ...l, unitPrice: { ...l.unitPrice } }));
      await deps.orders.confirm(scope, event.data.orderId, lines);
    } else if (event.type === 'stock.rejected') {
      await deps.orders.reject(scope, event.data.orderId, event.data.reason);
    }
  };
}
