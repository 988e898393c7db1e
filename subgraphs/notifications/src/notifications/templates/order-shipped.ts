import { orderEmail, orderLines, orderRef, shippingTo, type OrderEmailTemplate } from './order.js';

export const orderShipped: OrderEmailTemplate = {
  render(input, storefrontUrl) {
    return orderEmail(input, storefrontUrl, `Order ${orderRef(input.order)} shipped`, [
      'your order is on its way.',
      ...orderLines(input.order),
      shippingTo(input.order),
    ]);
  },
};
