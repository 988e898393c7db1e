import { PoisonMessageError, STOCK_REJECTION_REASONS, type EventEnvelope, type StockRejectionReason } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { OrderItemDocument } from './order.repository.js';
import type { OrderService } from './order.service.js';

/** The products side's answers to order.placed. */
export const SAGA_BINDINGS = ['stock.reserved', 'stock.rejected'];

const orderIdOf = (data: Record<string, unknown>): string => {
  const { orderId } = data;
  if (typeof orderId !== 'string' || orderId.length === 0) throw new PoisonMessageError('data.orderId must be a string');
  return orderId;
};

function reservedLines(data: Record<string, unknown>): OrderItemDocument[] {
  const { lines } = data;
  if (!Array.isArray(lines) || lines.length === 0) throw new PoisonMessageError('data.lines must be a non-empty array');
  return lines.map((line: unknown) => {
    const l = line as Partial<OrderItemDocument> | null;
    const price = l?.unitPrice;
    if (
      !l ||
      typeof l.productId !== 'string' ||
      typeof l.name !== 'string' ||
      !Number.isInteger(l.quantity) ||
      !price ||
      !Number.isInteger(price.amount) ||
      typeof price.currency !== 'string'
    )
      throw new PoisonMessageError('each reserved line needs productId, name, quantity and unitPrice');
    return {
      productId: l.productId,
      name: l.name,
      quantity: l.quantity!,
      unitPrice: { amount: price.amount, currency: price.currency },
    };
  });
}

/** Moves orders on when products answers; both steps are no-ops unless the order is still PENDING. */
export function createSagaHandler(deps: { orders: OrderService }) {
  return async (scope: Scope, event: EventEnvelope): Promise<void> => {
    if (event.type === 'stock.reserved') {
      await deps.orders.confirm(scope, orderIdOf(event.data), reservedLines(event.data));
    } else if (event.type === 'stock.rejected') {
      const reason = event.data['reason'];
      if (!(STOCK_REJECTION_REASONS as readonly unknown[]).includes(reason))
        throw new PoisonMessageError('unknown rejection reason');
      await deps.orders.reject(scope, orderIdOf(event.data), reason as StockRejectionReason);
    }
  };
}
