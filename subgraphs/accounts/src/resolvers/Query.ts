import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { scope, loaders }) => (scope.auth.viewer ? loaders.userById.load(scope.auth.viewer.userId) : null),
};
