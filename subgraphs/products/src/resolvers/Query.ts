import { BadUserInputError } from '@little-ecom/errors';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  product: async (_parent, { id, slug }, { scope, products, loaders }) => {
    if ((id == null) === (slug == null)) throw new BadUserInputError('Give exactly one of id or slug');
    return id != null ? loaders.productById.load(id) : products.getBySlug(scope, slug!);
  },
  products: (_parent, args, { scope, products }) => products.list(scope, args),
};
