import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, quantity }, { scope, carts }) => carts.add(scope, productId, quantity),
  updateCartItem: (_parent, { productId, quantity }, { scope, carts }) => carts.update(scope, productId, quantity),
  removeFromCart: (_parent, { productId }, { scope, carts }) => carts.remove(scope, productId),
  clearCart: (_parent, _args, { scope, carts }) => carts.clear(scope),
  checkout: (_parent, { input }, { scope, orders }) => orders.checkout(scope, input),
  cancelOrder: (_parent, { id }, { scope, orders }) => orders.cancel(scope, id),
  shipOrder: (_parent, { id }, { scope, orders }) => orders.ship(scope, id),
  markOrderPaid: (_parent, { id }, { scope, orders }) => orders.markPaid(scope, id),
  saveAddress: (_parent, { input, makeDefault }, { scope, addresses }) => addresses.save(scope, input, makeDefault ?? false),
  setDefaultAddress: (_parent, { id }, { scope, addresses }) => addresses.setDefault(scope, id),
  deleteAddress: (_parent, { id }, { scope, addresses }) => addresses.remove(scope, id),
};
