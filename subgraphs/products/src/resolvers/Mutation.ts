import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createProduct: (_parent, { input }, { auth, products, requestId }) => products.create(auth, input, requestId),
  updateProduct: (_parent, { id, input }, { auth, products, requestId }) => products.update(auth, id, input, requestId),
  deleteProduct: (_parent, { id }, { auth, products, requestId }) => products.delete(auth, id, requestId),
};
