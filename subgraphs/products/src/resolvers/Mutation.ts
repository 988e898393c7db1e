import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createProduct: (_parent, { input }, { scope, products }) => products.create(scope, input),
  updateProduct: (_parent, { id, input }, { scope, products }) => products.update(scope, id, input),
  deleteProduct: (_parent, { id }, { scope, products }) => products.delete(scope, id),
};
