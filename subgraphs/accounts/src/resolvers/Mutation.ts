import type { MutationResolvers } from '../__generated__/resolvers-types.js';

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
};
