import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  updateNotificationPreferences: (_parent, { input }, { scope, notifications }) => notifications.updatePreferences(scope, input),
  retryNotification: (_parent, { id }, { scope, notifications }) => notifications.retry(scope, id),
  retryFailedNotifications: (_parent, { filter }, { scope, notifications }) => notifications.retryMatching(scope, filter),
};
