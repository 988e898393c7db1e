import type { Handler } from './deps.js';
import { recordOrderEmail } from './order-email.js';

/** Mails the customer that their order is shipped. */
export const orderShipped: Handler<'order.shipped'> = (event, deps) =>
  recordOrderEmail(event, deps, (name, order) => ({ kind: 'ORDER_SHIPPED', name, order }));
