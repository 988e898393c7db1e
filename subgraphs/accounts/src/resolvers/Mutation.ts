import { requireViewer } from '@little-ecom/auth';
import type { AuthPayload } from '../auth/auth.service.js';
import { logSecurityEvent } from '../auth/security-log.js';
import type { AccountsContext } from '../context.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { parseObjectId } from '@little-ecom/mongo';

/** The payload's user has just proven who they are, so its personal fields may be shown to them. */
function proven(ctx: AccountsContext, payload: AuthPayload): AuthPayload {
  ctx.provenUserIds.add(payload.user._id.toHexString());
  return payload;
}

export const Mutation: MutationResolvers = {
  signUp: async (_parent, { input }, ctx) => proven(ctx, await ctx.accounts.signUp(ctx.scope, input)),
  logIn: async (_parent, { email, password, totpCode }, ctx) =>
    proven(ctx, await ctx.accounts.logIn(ctx.scope, email, password, totpCode)),
  refreshSession: async (_parent, { refreshToken }, ctx) =>
    proven(ctx, await ctx.accounts.refreshSession(ctx.scope, refreshToken)),
  logOut: (_parent, { refreshToken }, { scope, accounts }) => accounts.logOut(scope, refreshToken),
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
