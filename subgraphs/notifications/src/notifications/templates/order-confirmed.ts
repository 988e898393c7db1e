import { orderEmail, orderLines, orderRef, orderTotal, shippingTo, type OrderEmailTemplate } from './order.js';

export const orderConfirmed: OrderEmailTemplate = {
  render(input, storefrontUrl) {
    return orderEmail(input, storefrontUrl, `Order ${orderRef(input.order)} confirmed`, [
      'your order is confirmed and the items are set aside for you. You pay on delivery or by invoice.',
      ...orderLines(input.order),
      orderTotal(input.order),
      shippingTo(input.order),
    ]);
  },
};
