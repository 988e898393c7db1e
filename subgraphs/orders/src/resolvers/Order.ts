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
  // Orders placed before shipping and tax were charged: the lines were the whole total.
  subtotal: (order) => order.subtotal ?? order.total,
  shipping: (order) => order.shipping?.price ?? { amount: 0, currency: order.total.currency },
  tax: (order) => order.tax ?? { amount: 0, currency: order.total.currency },
  taxRate: (order) => order.taxRate ?? 0,
  taxIncluded: (order) => order.taxIncluded ?? true,
  shippingMethod: (order) => order.shipping ?? null,
  createdAt: (order) => order.createdAt.toISOString(),
  updatedAt: (order) => order.updatedAt.toISOString(),
};

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ __typename: 'Product', id: item.productId }),
};
