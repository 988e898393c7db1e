import type { Handler } from './deps.js';
import { recordOrderEmail } from './order-email.js';

/** Mails the customer that their order is cancelled. */
export const orderCancelled: Handler<'order.cancelled'> = (event, deps) =>
  recordOrderEmail(event, deps, (name, order) => ({ kind: 'ORDER_CANCELLED', name, order }));
