import { PoisonMessageError, type EventEnvelope, type OrderSummaryData } from '@little-ecom/events';
import type { NewNotification } from '../notifications/notification.repository.js';
import { renderOrderEmail, type OrderEmailKind } from '../notifications/order.templates.js';
import type { UserRepository } from '../users/user.repository.js';

const KINDS: Partial<Record<EventEnvelope['type'], OrderEmailKind>> = {
  'order.confirmed': 'ORDER_CONFIRMED',
  'order.rejected': 'ORDER_REJECTED',
  'order.shipped': 'ORDER_SHIPPED',
  'order.cancelled': 'ORDER_CANCELLED',
};

function orderSummary(data: Record<string, unknown>): OrderSummaryData {
  const d = data as Partial<OrderSummaryData>;
  if (typeof d.orderId !== 'string' || typeof d.userId !== 'string')
    throw new PoisonMessageError('orderId and userId are required');
  if (!Array.isArray(d.lines) || !d.total || !d.shippingAddress)
    throw new PoisonMessageError('lines, total and shippingAddress are required');
  return d as OrderSummaryData;
}

/**
 * One email per order event to the order's customer (order.placed needs none: the confirmation or
 * rejection follows within moments). Recorded once per (event, recipient, kind) like every notification.
 */
export function createOrderEventHandler(deps: {
  users: UserRepository;
  record: (batch: NewNotification[]) => Promise<number>;
  storefrontUrl: string;
}) {
  return async (event: EventEnvelope): Promise<void> => {
    const kind = KINDS[event.type];
    if (!kind) return;
    const order = orderSummary(event.data);
    const user = await deps.users.findById(order.userId);
    // The user.registered projection can lag behind a fast first order: retry until it is there.
    if (!user?.email) throw new Error(`user ${order.userId} not projected yet`);
    const reason = typeof event.data['reason'] === 'string' ? event.data['reason'] : undefined;
    await deps.record([
      {
        eventId: event.id,
        recipientId: order.userId,
        kind,
        correlationId: event.correlationId,
        to: user.email,
        orderId: order.orderId,
        ...renderOrderEmail({ kind, name: user.name ?? '', order, ...(reason ? { reason } : {}) }, deps.storefrontUrl),
      },
    ]);
  };
}
