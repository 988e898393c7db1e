import { requireViewer } from '@little-ecom/auth';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { parseUserId } from '../users/user.repository.js';

export const Mutation: MutationResolvers = {
  signUp: (_parent, { input }, { accounts, meta }) => accounts.signUp(input, meta),
  logIn: (_parent, { email, password }, { accounts, meta }) => accounts.logIn(email, password, meta),
  refreshSession: (_parent, { refreshToken }, { accounts }) => accounts.refreshSession(refreshToken),
  logOut: (_parent, { refreshToken }, { accounts }) => accounts.logOut(refreshToken),
  changePassword: (_parent, { currentPassword, newPassword }, { accounts, auth, meta }) =>
    accounts.changePassword(auth, currentPassword, newPassword, meta),
  requestPasswordReset: (_parent, { email }, { accounts, meta }) => accounts.requestPasswordReset(email, meta),
  resetPassword: (_parent, { token, newPassword }, { accounts }) => accounts.resetPassword(token, newPassword),
  setUserRole: (_parent, { userId, role }, { users, auth, meta }) => users.setUserRole(auth, userId, role, meta.requestId),
  endSession: async (_parent, { id }, { auth, sessions, logger }) => {
    const userId = parseUserId(requireViewer(auth).userId);
    const ended = userId ? await sessions.endOwn(userId, id) : false;
    if (ended) logger.info('session ended by its user', { sessionId: id, security: 'sessions_revoked' });
    return ended;
  },
  endUserSessions: (_parent, { userId }, { users, auth }) => users.endUserSessions(auth, userId),
};
