import {
  buildEvent,
  type EventData,
  type EventEnvelope,
  type OrderSummaryData,
  type CancellationReason,
  type StockRejectionReason,
} from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { OrderDocument } from './order.repository.js';

type OrderEventType = 'order.placed' | 'order.confirmed' | 'order.rejected' | 'order.cancelled' | 'order.shipped';

/** In the scope's chain: the event carries the correlation id of the request (or event) that caused it. */
const orderEvent = <T extends OrderEventType>(scope: Scope, type: T, data: EventData<T>): EventEnvelope<EventData<T>> =>
  buildEvent(type, data, { source: 'orders', correlationId: scope.correlationId });

/** What an order event says about the order: enough for products and notifications. */
const summary = (o: OrderDocument, version: number): OrderSummaryData => ({
  orderId: o._id,
  userId: o.userId,
  items: o.items.map((i) => ({ productId: i.productId, quantity: i.quantity, name: i.name, unitPrice: { ...i.unitPrice } })),
  total: { ...o.total },
  shippingAddress: { ...o.shippingAddress },
  aggregateVersion: version,
});

/** A new order asks products to reserve its lines; prices are products' to decide, so none travel. */
export const orderPlaced = (scope: Scope, order: Omit<OrderDocument, 'outbox'>) =>
  orderEvent(scope, 'order.placed', {
    orderId: order._id,
    userId: order.userId,
    items: order.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
    aggregateVersion: order.version,
  });

/** `order` as confirmed: with the reserved names and prices. */
export const orderConfirmed = (scope: Scope, order: OrderDocument, version: number) =>
  orderEvent(scope, 'order.confirmed', summary(order, version));

export const orderRejected = (scope: Scope, order: OrderDocument, version: number, reason: StockRejectionReason) =>
  orderEvent(scope, 'order.rejected', { ...summary(order, version), reason });

/** `order` as it was before the cancellation: its status tells products what to release. */
export const orderCancelled = (scope: Scope, order: OrderDocument, version: number, reason: CancellationReason) =>
  orderEvent(scope, 'order.cancelled', { ...summary(order, version), previousStatus: order.status, reason });

export const orderShipped = (scope: Scope, order: OrderDocument, version: number) =>
  orderEvent(scope, 'order.shipped', summary(order, version));
