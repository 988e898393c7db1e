import type { ObjectId } from 'mongodb';
import { requireRole, type Role } from '@little-ecom/auth';
import { BadUserInputError, ForbiddenError, NotFoundError } from '@little-ecom/errors';
import { buildEvent } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import { findManyById, parseObjectId } from '@little-ecom/mongo';
import type { SessionService } from '../sessions/session.service.js';
import { nextUserVersion, type UserDocument, type UserRepository } from './user.repository.js';

export interface UserServiceDeps {
  users: UserRepository;
  sessions: SessionService;
  clock: () => Date;
}

/** Reading users and the admin-only changes to them. */
export function createUserService({ users, sessions, clock }: UserServiceDeps) {
  /** The caller as an ADMIN by token and by the stored role (a demotion counts at once). */
  async function requireStoredAdmin(scope: Scope): Promise<UserDocument> {
    const viewer = requireRole(scope.auth, 'ADMIN');
    const adminId = parseObjectId(viewer.userId);
    const admin = adminId ? await users.findById(adminId) : null;
    if (admin?.role !== 'ADMIN') throw new ForbiddenError('This operation requires the ADMIN role');
    return admin;
  }

  return {
    /** Loads many users with one query; the result is aligned with `ids` (null where missing). */
    getManyById: (_scope: Scope, ids: readonly string[]) => findManyById(ids, (objectIds) => users.findByIds(objectIds)),

    /** ADMIN only, checked against the token and again against the stored role (a demotion counts at once). */
    async setUserRole(scope: Scope, userId: string, role: Role): Promise<UserDocument> {
      const admin = await requireStoredAdmin(scope);
      const byUserId = admin._id.toHexString();
      const id = parseObjectId(userId);
      if (!id) throw new BadUserInputError('userId is not a valid user id', 'userId');
      // Keeps at least the caller as an admin: nobody locks the shop out of its own catalog by accident.
      if (id.equals(admin._id)) throw new ForbiddenError('Admins cannot change their own role');
      const updated = await changeRole(users, id, role, scope.correlationId, clock);
      if (!updated) throw new NotFoundError('User not found');
      // Tokens carry the role: the old ones must stop working everywhere, not at their expiry.
      const ended = await sessions.revokeAllOfUser(id, 'role_changed');
      scope.logger.info('user role set', { userId, role, byUserId, endedSessions: ended, security: 'role_changed' });
      return updated;
    },

    /** ADMIN only: ends every session of `userId`; returns how many were live. */
    async endUserSessions(scope: Scope, userId: string): Promise<number> {
      const admin = await requireStoredAdmin(scope);
      const id = parseObjectId(userId);
      if (!id) throw new BadUserInputError('userId is not a valid user id', 'userId');
      const ended = await sessions.revokeAllOfUser(id, 'ended_by_admin');
      scope.logger.info('user sessions ended by an admin', {
        userId,
        byUserId: admin._id.toHexString(),
        endedSessions: ended,
        security: 'sessions_revoked',
      });
      return ended;
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

/**
 * Sets `role` with a `user.updated` event in the same write; no write and no event when it is already
 * the role. Retries when the user changes in between. Null when the user does not exist.
 */
export async function changeRole(
  users: UserRepository,
  id: ObjectId,
  role: Role,
  correlationId: string,
  clock: () => Date,
): Promise<UserDocument | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await users.findById(id);
    if (!current) return null;
    if (current.role === role) return current;
    const now = clock();
    const event = buildEvent(
      'user.updated',
      { userId: id.toHexString(), email: current.email, name: current.name, role, aggregateVersion: nextUserVersion(current) },
      { source: 'accounts', correlationId, occurredAt: now },
    );
    const updated = await users.setRole(current, role, event, now);
    if (updated) return updated;
  }
  throw new Error('user changed concurrently too often while setting its role');
}
