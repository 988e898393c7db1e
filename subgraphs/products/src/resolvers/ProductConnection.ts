import type { ProductConnectionResolvers } from '../__generated__/resolvers-types.js';

export const ProductConnection: ProductConnectionResolvers = {
  // Only when selected: it costs an aggregation and a count per price band.
  facets: (page, _args, { products }) => products.facets(page.filter),
};
