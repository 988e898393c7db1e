import { z } from 'zod';
import { aggregateVersion, id, money, nonEmpty } from './common.js';

const quantity = z.number().int().positive();

/** What the saga needs to reserve or release stock. */
const stockLine = z.object({ productId: id, quantity });

/** A line as reserved: name and unit price are the ones products charged it at (see stock.reserved). */
const pricedLine = stockLine.extend({ name: nonEmpty, unitPrice: money });

const address = z.object({
  name: nonEmpty,
  line1: nonEmpty,
  line2: z.string().nullable(),
  city: nonEmpty,
  postalCode: nonEmpty,
  /** ISO 3166-1 alpha-2. */
  country: z.string().length(2),
});

/** Why products could not reserve an order's stock. */
/** TIMED_OUT: orders' reaper gave up waiting for products' answer (see docs/orders.md); products releases what it holds. */
export const STOCK_REJECTION_REASONS = ['INSUFFICIENT_STOCK', 'PRODUCT_UNAVAILABLE', 'MIXED_CURRENCIES', 'TIMED_OUT'] as const;
const stockRejectionReason = z.enum(STOCK_REJECTION_REASONS);

/** orders -> products: reserve every line, or none. Prices are products' to decide, so none travel here. */
const orderPlaced = z.object({ orderId: id, userId: id, items: z.array(stockLine).min(1), aggregateVersion });

/** What notifications needs to mail about an order without reading the orders database. */
const orderSummary = z.object({
  orderId: id,
  userId: id,
  items: z.array(pricedLine),
  total: money,
  shippingAddress: address,
  aggregateVersion,
});

const orderRejected = orderSummary.extend({ reason: stockRejectionReason });
/** Who or what cancelled an order; absent in events of versions before it was added. */
export const CANCELLATION_REASONS = ['CUSTOMER', 'ADMIN', 'PAYMENT_EXPIRED'] as const;

/** Carries the lines so products can release the reservation without asking orders. */
const orderCancelled = orderSummary.extend({
  /** PENDING or CONFIRMED: the status the order was cancelled from. */
  previousStatus: nonEmpty,
  /** PAYMENT_EXPIRED: confirmed, and not paid in time (ORDER_UNPAID_EXPIRY_HOURS, docs/orders.md). */
  reason: z.enum(CANCELLATION_REASONS).optional(),
});

/** The `order.*` events orders publishes; the aggregate is the order (`orderId`). */
export const orderEvents = {
  'order.placed': orderPlaced,
  'order.confirmed': orderSummary,
  'order.rejected': orderRejected,
  'order.cancelled': orderCancelled,
  'order.shipped': orderSummary,
} as const;

export type StockLineData = z.output<typeof stockLine>;
export type OrderLineData = StockLineData;
export type PricedLineData = z.output<typeof pricedLine>;
export type AddressData = z.output<typeof address>;
export type StockRejectionReason = z.output<typeof stockRejectionReason>;
export type OrderPlacedData = z.output<typeof orderPlaced>;
export type OrderSummaryData = z.output<typeof orderSummary>;
export type OrderConfirmedData = OrderSummaryData;
export type OrderRejectedData = z.output<typeof orderRejected>;
export type OrderCancelledData = z.output<typeof orderCancelled>;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];
export type OrderShippedData = OrderSummaryData;

export { pricedLine, stockLine, stockRejectionReason };
