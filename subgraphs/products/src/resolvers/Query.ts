import { BadUserInputError } from '@little-ecom/errors';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  product: async (_parent, { id, slug }, { products, loaders }) => {
    if ((id == null) === (slug == null)) throw new BadUserInputError('Give exactly one of id or slug');
    return id != null ? loaders.productById.load(id) : products.getBySlug(slug!);
  },
  products: (_parent, args, { products }) => products.list(args),
};
