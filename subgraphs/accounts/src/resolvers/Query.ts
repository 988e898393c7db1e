import { requireViewer } from '@little-ecom/auth';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { parseObjectId } from '@little-ecom/mongo';

export const Query: QueryResolvers = {
  // A bad token never gets here (the context refuses it), so null means "no token was sent".
  me: (_parent, _args, { scope, loaders }) => (scope.auth.viewer ? loaders.userById.load(scope.auth.viewer.userId) : null),
  mySessions: async (_parent, _args, { scope, sessions }) => {
    const userId = parseObjectId(requireViewer(scope.auth).userId);
    return userId ? sessions.listLive(userId) : [];
  },
};
