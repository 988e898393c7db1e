import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  signUp: (_parent, { input }, { scope, accounts }) => accounts.signUp(scope, input),
  logIn: (_parent, { email, password }, { scope, accounts }) => accounts.logIn(scope, email, password),
  refreshSession: (_parent, { refreshToken }, { scope, accounts }) => accounts.refreshSession(scope, refreshToken),
  logOut: (_parent, { refreshToken }, { scope, accounts }) => accounts.logOut(scope, refreshToken),
  changePassword: (_parent, { currentPassword, newPassword }, { scope, accounts }) =>
    accounts.changePassword(scope, currentPassword, newPassword),
  requestPasswordReset: (_parent, { email }, { scope, accounts }) => accounts.requestPasswordReset(scope, email),
  resetPassword: (_parent, { token, newPassword }, { scope, accounts }) => accounts.resetPassword(scope, token, newPassword),
  setUserRole: (_parent, { userId, role }, { scope, users }) => users.setUserRole(scope, userId, role),
};
