import type { CancellationReason } from '@little-ecom/events';
import { orderEmail, orderLines, orderRef, orderTotal, type OrderEmailTemplate } from './order.js';

/** `reason` is absent in events from orders versions before it was added. */
export const orderCancelled: OrderEmailTemplate<{ reason?: CancellationReason }> = {
  render(input, storefrontUrl) {
    return orderEmail(input, storefrontUrl, `Order ${orderRef(input.order)} cancelled`, [
      input.reason === 'PAYMENT_EXPIRED'
        ? 'your order was cancelled because its payment did not arrive in time; the items are released. Nothing more is owed.'
        : 'your order was cancelled; the items are released.',
      ...orderLines(input.order),
      orderTotal(input.order),
    ]);
  },
};
