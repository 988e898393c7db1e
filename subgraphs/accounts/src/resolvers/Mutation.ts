import { requireViewer } from '@little-ecom/auth';
import type { AuthPayload } from '../auth/auth.service.js';
import { logSecurityEvent } from '../auth/security-log.js';
import type { AccountsContext } from '../context.js';
import { clearCookie, deliver, refreshTokenOf, requireRefreshToken } from '../sessions/cookie.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { parseObjectId } from '@little-ecom/mongo';

/**
 * The payload's user has just proven who they are, so its personal fields may be shown to them; in
 * browser mode its refresh token goes to the cookie instead of the body.
 */
function proven(ctx: AccountsContext, payload: AuthPayload) {
  ctx.provenUserIds.add(payload.user._id.toHexString());
  return deliver(ctx.cookieSession, payload);
}

export const Mutation: MutationResolvers = {
  signUp: async (_parent, { input }, ctx) => proven(ctx, await ctx.accounts.signUp(ctx.scope, input)),
  logIn: async (_parent, { email, password, totpCode }, ctx) =>
    proven(ctx, await ctx.accounts.logIn(ctx.scope, email, password, totpCode)),
  refreshSession: async (_parent, { refreshToken }, ctx) =>
    proven(ctx, await ctx.accounts.refreshSession(ctx.scope, requireRefreshToken(ctx.cookieSession, refreshToken))),
  logOut: async (_parent, { refreshToken }, { scope, accounts, cookieSession }) => {
    clearCookie(cookieSession);
    const token = refreshTokenOf(cookieSession, refreshToken);
    return token ? accounts.logOut(scope, token) : false;
  },
  changePassword: (_parent, { currentPassword, newPassword }, { scope, accounts }) =>
    accounts.changePassword(scope, currentPassword, newPassword),
  requestPasswordReset: (_parent, { email }, { scope, accounts }) => accounts.requestPasswordReset(scope, email),
  resetPassword: (_parent, { token, newPassword }, { scope, accounts }) => accounts.resetPassword(scope, token, newPassword),
  setUserRole: (_parent, { userId, role }, { scope, users }) => users.setUserRole(scope, userId, role),
  endSession: async (_parent, { id }, { scope, sessions }) => {
    const userId = parseObjectId(requireViewer(scope.auth).userId);
    const ended = userId ? await sessions.endOwn(userId, id) : false;
    if (ended) logSecurityEvent(scope, 'sessions_revoked', { sessionId: id, reason: 'ended_by_user' });
    return ended;
  },
  endUserSessions: (_parent, { userId }, { scope, users }) => users.endUserSessions(scope, userId),
  startTotpEnrollment: (_parent, { password }, { scope, totp }) => totp.startEnrollment(scope, password),
  confirmTotpEnrollment: (_parent, { code }, { scope, totp }) => totp.confirmEnrollment(scope, code),
  removeTotp: (_parent, proof, { scope, totp }) => totp.remove(scope, proof),
  regenerateRecoveryCodes: (_parent, proof, { scope, totp }) => totp.regenerateRecoveryCodes(scope, proof),
};
