import type { EmailInput } from '../../notifications/templates/registry.js';
import type { OrderEmailEvent } from '../../users/awaiting-user.repository.js';
import type { HandlerDeps } from './deps.js';
import { recordEmails } from './record.js';

/** What each order event tells the customer. */
function inputFor(event: OrderEmailEvent, name: string): EmailInput {
  const order = event.data;
  switch (event.type) {
    case 'order.confirmed':
      return { kind: 'ORDER_CONFIRMED', name, order };
    case 'order.rejected':
      return { kind: 'ORDER_REJECTED', name, order, reason: event.data.reason };
    case 'order.shipped':
      return { kind: 'ORDER_SHIPPED', name, order };
    case 'order.cancelled':
      return { kind: 'ORDER_CANCELLED', name, order, ...(event.data.reason ? { reason: event.data.reason } : {}) };
  }
}

const record = (event: OrderEmailEvent, user: { email: string; name?: string }, deps: HandlerDeps) =>
  recordEmails(
    event,
    [
      {
        recipientId: event.data.userId,
        to: user.email,
        orderId: event.data.orderId,
        input: inputFor(event, user.name ?? ''),
      },
    ],
    deps,
  );

/**
 * One email to the order's customer for an order event; recorded once per (event, recipient, kind)
 * like every notification. No aggregate-version check: each status is its own email, and one that
 * arrives after a later status still describes something that happened.
 *
 * A first order can overtake its customer's `user.registered` (another queue, a retry, a replay):
 * the event is then parked in the database, the message acknowledged, and the email recorded when the
 * user is projected (`releaseAwaitingEmails`), however late; after `awaitUserMs` it is given up, logged.
 */
export async function recordOrderEmail(event: OrderEmailEvent, deps: HandlerDeps): Promise<void> {
  const userId = event.data.userId;
  const user = await deps.users.findById(userId);
  if (user?.email) {
    await record(event, { email: user.email, ...(user.name ? { name: user.name } : {}) }, deps);
    return;
  }
  await deps.awaitingUser.park(userId, event, new Date(Date.now() + deps.awaitUserMs));
  deps.logger.info('order email waits for its user', { eventId: event.id, eventType: event.type, userId });
  // The user may have been projected after the look-up, and released before the event was parked.
  if ((await deps.users.findById(userId))?.email) await releaseAwaitingEmails(userId, deps);
}

/** Records the order emails that waited for `userId`, now projected; idempotent, as every handler. */
export async function releaseAwaitingEmails(userId: string, deps: HandlerDeps): Promise<void> {
  // Each pass handles what it read; another pass only if an event was parked meanwhile.
  for (let pass = 0; pass < 5; pass++) {
    const waiting = await deps.awaitingUser.find(userId);
    if (!waiting) return;
    const user = await deps.users.findById(userId);
    if (!user?.email) return;
    for (const event of waiting.events)
      await record(event, { email: user.email, ...(user.name ? { name: user.name } : {}) }, deps);
    deps.logger.info('order emails released', { userId, events: waiting.events.length });
    if (await deps.awaitingUser.release(userId, waiting.events.length)) return;
  }
}
