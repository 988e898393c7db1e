import type { ProductResolvers } from '../__generated__/resolvers-types.js';

export const Product: ProductResolvers = {
  // Batched: every reference in one gateway request goes through one DataLoader batch, one query.
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  id: (product) => product._id.toHexString(),
  inStock: (product) => product.stock > 0,
  reserved: (product) => (product.reservations ?? []).reduce((sum, r) => sum + r.quantity, 0),
  createdAt: (product) => product.createdAt.toISOString(),
  updatedAt: (product) => product.updatedAt.toISOString(),
};
