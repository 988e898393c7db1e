import type { OrderItemResolvers, OrderResolvers } from '../__generated__/resolvers-types.js';

export const Order: OrderResolvers = {
  // Owner or admin only, through `_entities` as much as through `order(id)`; all references in one query.
  __resolveReference: (reference, { loaders }) => loaders.orderForReference.load(reference.id),
  id: (order) => order._id,
  rejectionReason: (order) => order.rejectionReason ?? null,
  shippingAddress: (order) => ({ ...order.shippingAddress }),
  statusHistory: (order) =>
    order.statusHistory.map((h) => ({ status: h.status, at: h.at.toISOString(), reason: h.reason ?? null })),
  payment: (order) => ({
    method: order.payment.method,
    status: order.payment.status,
    paidAt: order.payment.paidAt?.toISOString() ?? null,
  }),
  createdAt: (order) => order.createdAt.toISOString(),
  updatedAt: (order) => order.updatedAt.toISOString(),
};

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ __typename: 'Product', id: item.productId }),
};
