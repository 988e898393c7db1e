import { requireViewer } from '@little-ecom/auth';
import type { AuthPayload } from '../auth/auth.service.js';
import type { AccountsContext } from '../context.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { parseUserId } from '../users/user.repository.js';

/** The payload's user has just proven who they are, so its personal fields may be shown to them. */
function proven(ctx: AccountsContext, payload: AuthPayload): AuthPayload {
  ctx.provenUserIds.add(payload.user._id.toHexString());
  return payload;
}

export const Mutation: MutationResolvers = {
  signUp: async (_parent, { input }, ctx) => proven(ctx, await ctx.accounts.signUp(input, ctx.meta)),
  logIn: async (_parent, { email, password }, ctx) => proven(ctx, await ctx.accounts.logIn(email, password, ctx.meta)),
  refreshSession: async (_parent, { refreshToken }, ctx) => proven(ctx, await ctx.accounts.refreshSession(refreshToken)),
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
