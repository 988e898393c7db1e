import type { Handler } from './deps.js';
import { recordOrderEmail } from './order-email.js';

/** Mails the customer that their order could not be placed, and why. */
export const orderRejected: Handler<'order.rejected'> = (event, deps) =>
  recordOrderEmail(event, deps, (name, order) => ({ kind: 'ORDER_REJECTED', name, order, reason: event.data.reason }));
