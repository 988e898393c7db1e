import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, quantity, guestCartToken }, { scope, carts }) =>
    carts.add(scope, productId, quantity, guestCartToken),
  updateCartItem: (_parent, { productId, quantity, guestCartToken }, { scope, carts }) =>
    carts.update(scope, productId, quantity, guestCartToken),
  removeFromCart: (_parent, { productId, guestCartToken }, { scope, carts }) => carts.remove(scope, productId, guestCartToken),
  clearCart: (_parent, { guestCartToken }, { scope, carts }) => carts.clear(scope, guestCartToken),
  startGuestCart: (_parent, _args, { scope, carts }) => carts.startGuest(scope),
  mergeGuestCart: (_parent, { token }, { scope, carts }) => carts.mergeGuest(scope, token),
  checkout: (_parent, { input }, { scope, orders }) => orders.checkout(scope, input),
  cancelOrder: (_parent, { id }, { scope, orders }) => orders.cancel(scope, id),
  shipOrder: (_parent, { id }, { scope, orders }) => orders.ship(scope, id),
  markOrderPaid: (_parent, { id }, { scope, orders }) => orders.markPaid(scope, id),
  saveAddress: (_parent, { input, makeDefault }, { scope, addresses }) => addresses.save(scope, input, makeDefault ?? false),
  setDefaultAddress: (_parent, { id }, { scope, addresses }) => addresses.setDefault(scope, id),
  deleteAddress: (_parent, { id }, { scope, addresses }) => addresses.remove(scope, id),
};
