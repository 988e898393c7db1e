import { z } from 'zod';
import { aggregateVersion, id } from './common.js';
import { pricedLine, stockRejectionReason } from './order.js';

/** Every line is held for the order, at the unit price products charged it at. */
const stockReserved = z.object({
  orderId: id,
  items: z.array(pricedLine).min(1),
  /** Every line's currency; products refuses orders that mix currencies. */
  currency: z.string().length(3),
  aggregateVersion,
});

/** Nothing is held; `productId` names the first line that could not be reserved. */
const stockRejected = z.object({ orderId: id, reason: stockRejectionReason, productId: id.nullable(), aggregateVersion });

/**
 * The `stock.*` events products publishes in the order saga; the aggregate is the order's stock
 * reservation (`orderId`).
 */
export const stockEvents = {
  'stock.reserved': stockReserved,
  'stock.rejected': stockRejected,
} as const;

export type StockReservedData = z.output<typeof stockReserved>;
export type StockRejectedData = z.output<typeof stockRejected>;
