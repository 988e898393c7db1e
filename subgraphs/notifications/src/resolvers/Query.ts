import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  failedNotifications: (_parent, { first, after }, { scope, notifications }) => notifications.failed(scope, first, after),
  deliveryState: (_parent, _args, { scope, notifications }) => notifications.deliveryState(scope),
};
