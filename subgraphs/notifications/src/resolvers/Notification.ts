import type { NotificationResolvers } from '../__generated__/resolvers-types.js';

export const Notification: NotificationResolvers = {
  id: (n) => n._id.toHexString(),
  lastError: (n) => n.lastError ?? null,
  lastErrorKind: (n) => n.lastErrorKind ?? null,
  lastErrorDetail: (n, _args, { scope, notifications }) => notifications.errorDetail(scope, n),
  // An entity reference: the gateway asks products for the fields.
  product: (n) => (n.productId ? { __typename: 'Product', id: n.productId } : null),
  order: (n) => (n.orderId ? { __typename: 'Order', id: n.orderId } : null),
  createdAt: (n) => n.createdAt.toISOString(),
  sentAt: (n) => n.sentAt?.toISOString() ?? null,
};
