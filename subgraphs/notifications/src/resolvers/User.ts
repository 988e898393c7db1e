import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  // Nothing to load: every field below is looked up by id.
  __resolveReference: (reference) => ({ id: reference.id }),
  notificationPreferences: (user, _args, { auth, notifications }) => notifications.preferences(auth, user.id),
  notifications: (user, { first, after }, { auth, notifications }) => notifications.forUser(auth, user.id, first, after),
};
