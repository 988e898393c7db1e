import type { StockRejectionReason } from '@little-ecom/events';
import { orderEmail, orderRef, rejectionReason, type OrderEmailTemplate } from './order.js';

export const orderRejected: OrderEmailTemplate<{ reason: StockRejectionReason }> = {
  render(input, storefrontUrl) {
    return orderEmail(input, storefrontUrl, `Order ${orderRef(input.order)} could not be placed`, [
      `we could not place your order because ${rejectionReason(input.reason)}. Nothing was charged.`,
    ]);
  },
};
