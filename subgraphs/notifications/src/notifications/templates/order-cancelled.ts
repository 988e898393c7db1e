import { orderEmail, orderLines, orderRef, orderTotal, type OrderEmailTemplate } from './order.js';

export const orderCancelled: OrderEmailTemplate = {
  render(input, storefrontUrl) {
    return orderEmail(input, storefrontUrl, `Order ${orderRef(input.order)} cancelled`, [
      'your order was cancelled; the items are released.',
      ...orderLines(input.order),
      orderTotal(input.order),
    ]);
  },
};
