import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { auth, loaders }) => (auth.viewer ? loaders.userById.load(auth.viewer.userId) : null),
};
