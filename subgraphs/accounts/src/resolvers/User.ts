import { ForbiddenError } from '@little-ecom/errors';
import { logSecurityEvent } from '../auth/security-log.js';
import type { AccountsContext } from '../context.js';
import type { UserResolvers } from '../__generated__/resolvers-types.js';
import type { UserDocument } from '../users/user.repository.js';

/**
 * Personal fields are for the user and admins only, however the user was reached (`me`, a mutation
 * result or a gateway `_entities` reference from another subgraph).
 */
function personal<T>(field: string, read: (user: UserDocument) => T) {
  return (user: UserDocument, _args: unknown, { scope, provenUserIds }: AccountsContext): T => {
    const viewer = scope.auth.viewer;
    const id = user._id.toHexString();
    if (provenUserIds.has(id) || (viewer && (viewer.userId === id || viewer.role === 'ADMIN'))) return read(user);
    logSecurityEvent(scope, 'authorization_failed', { field: `User.${field}`, userId: viewer?.userId, reason: 'personal_field' });
    throw new ForbiddenError(`Only the user or an admin may see User.${field}`);
  };
}

export const User: UserResolvers = {
  // Batched: every reference in one gateway request goes through one DataLoader batch, one query.
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),
  id: (user) => user._id.toHexString(),
  email: personal('email', (user) => user.email),
  role: personal('role', (user) => user.role),
  totpEnabled: personal('totpEnabled', (user) => user.totp !== undefined),
  createdAt: (user) => user.createdAt.toISOString(),
};
