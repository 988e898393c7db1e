import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  updateNotificationPreferences: (_parent, { input }, { auth, notifications }) => notifications.updatePreferences(auth, input),
  retryNotification: (_parent, { id }, { auth, notifications }) => notifications.retry(auth, id),
  retryFailedNotifications: (_parent, { filter }, { auth, notifications }) => notifications.retryMatching(auth, filter),
};
