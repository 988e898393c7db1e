import type { CheckedEvent, OrderSummaryData } from '@little-ecom/events';
import type { EmailInput } from '../../notifications/templates/registry.js';
import type { HandlerDeps } from './deps.js';
import { recordEmails } from './record.js';

type OrderEmailEvent = CheckedEvent<'order.confirmed' | 'order.rejected' | 'order.shipped' | 'order.cancelled'>;

/**
 * One email to the order's customer for an order event; recorded once per (event, recipient, kind)
 * like every notification. No aggregate-version check: each status is its own email, and one that
 * arrives after a later status still describes something that happened.
 */
export async function recordOrderEmail(
  event: OrderEmailEvent,
  deps: HandlerDeps,
  input: (name: string, order: OrderSummaryData) => EmailInput,
): Promise<void> {
  const order = event.data;
  const user = await deps.users.findById(order.userId);
  // The user.registered projection can lag behind a fast first order: fail so the message is retried.
  if (!user?.email) throw new Error(`user ${order.userId} not projected yet`);
  await recordEmails(
    event,
    [{ recipientId: order.userId, to: user.email, orderId: order.orderId, input: input(user.name ?? '', order) }],
    deps,
  );
}
