import type { PricedLineData, StockRejectionReason } from '@little-ecom/events';
import { productsEvent, type EventScope } from '../catalog/product.events.js';

/** Every line of the order is held; `items` carry the names and prices it is charged at (all in one currency). */
export const stockReserved = (scope: EventScope, orderId: string, items: PricedLineData[], version: number) =>
  productsEvent(scope, 'stock.reserved', { orderId, items, currency: items[0]!.unitPrice.currency, aggregateVersion: version });

/** Nothing of the order is held; `productId` names the line that failed (null when no single line did). */
export const stockRejected = (
  scope: EventScope,
  orderId: string,
  rejection: { reason: StockRejectionReason; productId: string | null },
  version: number,
) => productsEvent(scope, 'stock.rejected', { orderId, ...rejection, aggregateVersion: version });
