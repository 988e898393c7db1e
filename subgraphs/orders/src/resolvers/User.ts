import type { UserResolvers } from '../__generated__/resolvers-types.js';

/** Orders' fields of the accounts User; the reference is all it needs (carts and orders are keyed by user id). */
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  cart: (user, _args, { scope, carts }) => carts.get(scope, user.id),
  orders: (user, args, { scope, orders }) => orders.listForUser(scope, user.id, args),
  addresses: (user, _args, { scope, addresses }) => addresses.list(scope, user.id),
};
