import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  // Nothing to load: every field below is looked up by id.
  __resolveReference: (reference) => ({ id: reference.id }),
  notificationPreferences: (user, _args, { scope, notifications }) => notifications.preferences(scope, user.id),
  notifications: (user, { first, after }, { scope, notifications }) => notifications.forUser(scope, user.id, first, after),
};
