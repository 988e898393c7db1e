import type { Handler } from './deps.js';
import { recordOrderEmail } from './order-email.js';

/** Mails the customer that their order is confirmed. */
export const orderConfirmed: Handler<'order.confirmed'> = (event, deps) =>
  recordOrderEmail(event, deps, (name, order) => ({ kind: 'ORDER_CONFIRMED', name, order }));
