import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  order: (_parent, { id }, { scope, orders }) => orders.get(scope, id),
  orders: (_parent, args, { scope, orders }) => orders.listAll(scope, args),
  guestCart: (_parent, { token }, { carts }) => carts.getGuest(token),
  shippingMethods: (_parent, { country, currency }, { pricing }) => pricing.shippingMethods(country, currency ?? 'EUR'),
};
