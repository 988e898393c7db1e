import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  // Batched: every reference in one gateway request goes through one DataLoader batch, one query.
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),
  id: (user) => user._id.toHexString(),
  createdAt: (user) => user.createdAt.toISOString(),
};
