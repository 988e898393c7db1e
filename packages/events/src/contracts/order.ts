import { z } from 'zod';
import { aggregateVersion, id, money, nonEmpty } from './common.js';

const quantity = z.number().int().positive();

/** A line as ordered: name and unit price are snapshots taken from products at checkout. */
const orderLine = z.object({ productId: id, name: nonEmpty, unitPrice: money, quantity });

/** What the saga needs to reserve or release stock. */
const stockLine = z.object({ productId: id, quantity });

const orderPlaced = z.object({ orderId: id, userId: id, items: z.array(orderLine).min(1), total: money, aggregateVersion });
const orderConfirmed = z.object({ orderId: id, userId: id, total: money, aggregateVersion });
const orderRejected = z.object({ orderId: id, userId: id, reason: nonEmpty, aggregateVersion });
/** Carries the lines so products can release the reservation without asking orders. */
const orderCancelled = z.object({ orderId: id, userId: id, items: z.array(stockLine), aggregateVersion });
const orderShipped = z.object({ orderId: id, userId: id, aggregateVersion });

/** The `order.*` events orders publishes; the aggregate is the order (`orderId`). */
export const orderEvents = {
  'order.placed': orderPlaced,
  'order.confirmed': orderConfirmed,
  'order.rejected': orderRejected,
  'order.cancelled': orderCancelled,
  'order.shipped': orderShipped,
} as const;

export type OrderLineData = z.output<typeof orderLine>;
export type OrderPlacedData = z.output<typeof orderPlaced>;
export type OrderConfirmedData = z.output<typeof orderConfirmed>;
export type OrderRejectedData = z.output<typeof orderRejected>;
export type OrderCancelledData = z.output<typeof orderCancelled>;
export type OrderShippedData = z.output<typeof orderShipped>;

export { stockLine };
