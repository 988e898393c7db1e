import { z } from 'zod';
import { aggregateVersion, id, nonEmpty } from './common.js';
import { stockLine } from './order.js';

const stockReserved = z.object({ orderId: id, items: z.array(stockLine).min(1), aggregateVersion });

/** Which lines could not be reserved, so orders can tell the customer. */
const stockRejected = z.object({
  orderId: id,
  reason: nonEmpty,
  items: z.array(z.object({ productId: id, requested: z.number().int(), available: z.number().int() })),
  aggregateVersion,
});

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
