import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createProduct: (_parent, { input }, { auth, products }) => products.create(auth, input),
  updateProduct: (_parent, { id, input }, { auth, products }) => products.update(auth, id, input),
  deleteProduct: (_parent, { id }, { auth, products }) => products.delete(auth, id),
};
