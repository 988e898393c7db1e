import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  failedNotifications: (_parent, { first, after }, { auth, notifications }) => notifications.failed(auth, first, after),
  deliveryState: (_parent, _args, { auth, notifications }) => notifications.deliveryState(auth),
};
