import type { MoneyData } from './payloads.js';

/**
 * The `data` of the order saga's events (orders <-> products). Every event carries the version of
 * its aggregate after the change (the order's, or the stock reservation's), so a consumer can tell a
 * stale redelivery from news. Additive changes keep the envelope version.
 */
export interface OrderLineData {
  productId: string;
  quantity: number;
}

export interface AddressData {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** orders -> products: reserve every line, or none. */
export interface OrderPlacedData {
  orderId: string;
  userId: string;
  lines: OrderLineData[];
  version: number;
}

/** A reserved line with the authoritative unit price products charged it at. */
export interface ReservedLineData extends OrderLineData {
  name: string;
  unitPrice: MoneyData;
}

/** products -> orders: every line is held for the order. */
export interface StockReservedData {
  orderId: string;
  lines: ReservedLineData[];
  /** Every line's currency; products refuses orders that mix currencies. */
  currency: string;
  version: number;
}

export const STOCK_REJECTION_REASONS = ['INSUFFICIENT_STOCK', 'PRODUCT_UNAVAILABLE', 'MIXED_CURRENCIES'] as const;
export type StockRejectionReason = (typeof STOCK_REJECTION_REASONS)[number];

/** products -> orders: nothing is held; `productId` names the first line that could not be reserved. */
export interface StockRejectedData {
  orderId: string;
  reason: StockRejectionReason;
  productId: string | null;
  version: number;
}

/** What notifications needs to mail about an order without reading the orders database. */
export interface OrderSummaryData {
  orderId: string;
  userId: string;
  lines: (OrderLineData & { name: string; unitPrice: MoneyData })[];
  total: MoneyData;
  shippingAddress: AddressData;
  version: number;
}

export type OrderConfirmedData = OrderSummaryData;
export type OrderShippedData = OrderSummaryData;

export interface OrderRejectedData extends OrderSummaryData {
  reason: StockRejectionReason;
}

/** orders -> products (release the stock) and notifications. */
export interface OrderCancelledData extends OrderSummaryData {
  /** PENDING or CONFIRMED: the status the order was cancelled from. */
  previousStatus: string;
}

export interface OrderEventDataByType {
  'order.placed': OrderPlacedData;
  'order.confirmed': OrderConfirmedData;
  'order.rejected': OrderRejectedData;
  'order.cancelled': OrderCancelledData;
  'order.shipped': OrderShippedData;
  'stock.reserved': StockReservedData;
  'stock.rejected': StockRejectedData;
}
