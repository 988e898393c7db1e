import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, ObjectId } from 'mongodb';
import { requireRole, type Role } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@little-ecom/errors';
import { createLeases } from '@little-ecom/coordination';
import type { Scope } from '@little-ecom/scope';
import { findManyById, parseObjectId } from '@little-ecom/mongo';
import { logSecurityEvent } from '../auth/security-log.js';
import type { SessionService } from '../sessions/session.service.js';
import { userUpdated } from './user.events.js';
import type { UserDocument, UserRepository } from './user.repository.js';

export interface UserServiceDeps {
  users: UserRepository;
  sessions: SessionService;
  /** Holds the lease that serializes role changes (see `oneRoleChangeAtATime`). */
  db: Db;
  clock: () => Date;
}

/** Where the role-change lease lives; one document, taken by insert. */
export const ROLE_LOCKS = 'role_locks';
const ROLE_CHANGE = 'role-change';

/** Reading users and the admin-only changes to them. */
export function createUserService({ users, sessions, db, clock }: UserServiceDeps) {
  /**
   * Runs role changes one at a time across every replica, so the caller's admin check and the change
   * cannot interleave with another's: two admins demoting each other at once leave one admin (the
   * second finds itself demoted). A lease (an insert with a unique id) because FerretDB v1 has no
   * transactions and does not isolate conditional updates; it lapses after 10 s if its holder dies.
   */
  async function oneRoleChangeAtATime<T>(run: () => Promise<T>): Promise<T> {
    const lease = createLeases(db, ROLE_LOCKS, randomUUID(), 10_000);
    const deadline = Date.now() + 5_000;
    while (!(await lease.acquire(ROLE_CHANGE))) {
      if (Date.now() > deadline) throw new ConflictError('Another role change is in progress; try again', 'role');
      await sleep(20 + Math.random() * 30);
    }
    try {
      return await run();
    } finally {
      await lease.release(ROLE_CHANGE);
    }
  }

  /** The caller as an ADMIN by token and by the stored role (a demotion counts at once). */
  async function requireStoredAdmin(scope: Scope): Promise<UserDocument> {
    const viewer = requireRole(scope.auth, 'ADMIN');
    const adminId = parseObjectId(viewer.userId);
    const admin = adminId ? await users.findById(adminId) : null;
    if (admin?.role !== 'ADMIN') {
      logSecurityEvent(scope, 'authorization_failed', { userId: viewer.userId, reason: 'stored_role_not_admin' }, 'warn');
      throw new ForbiddenError('This operation requires the ADMIN role');
    }
    return admin;
  }

  return {
    /** Loads many users with one query; the result is aligned with `ids` (null where missing). */
    getManyById: (ids: readonly string[]) => findManyById(ids, (objectIds) => users.findByIds(objectIds)),

    /** ADMIN only, checked against the token and again against the stored role (a demotion counts at once). */
    async setUserRole(scope: Scope, userId: string, role: Role): Promise<UserDocument> {
      requireRole(scope.auth, 'ADMIN');
      const id = parseObjectId(userId);
      if (!id) throw new BadUserInputError('userId is not a valid user id', 'userId');
      const { admin, updated } = await oneRoleChangeAtATime(async () => {
        // Read under the lease: a demotion that just happened counts.
        const admin = await requireStoredAdmin(scope);
        // Keeps at least the caller as an admin: nobody locks the shop out of its own catalog by accident.
        if (id.equals(admin._id)) throw new ForbiddenError('Admins cannot change their own role');
        return { admin, updated: await changeRole({ users, sessions, clock }, id, role, scope.correlationId) };
      });
      const byUserId = admin._id.toHexString();
      if (!updated) throw new NotFoundError('User not found');
      logSecurityEvent(scope, 'sessions_revoked', {
        userId,
        role,
        byUserId,
        endedSessions: updated.endedSessions,
        reason: 'role_changed',
      });
      return updated.user;
    },

    /** ADMIN only: ends every session of `userId`; returns how many were live. */
    async endUserSessions(scope: Scope, userId: string): Promise<number> {
      const admin = await requireStoredAdmin(scope);
      const id = parseObjectId(userId);
      if (!id) throw new BadUserInputError('userId is not a valid user id', 'userId');
      const ended = await sessions.revokeAllOfUser(id, 'ended_by_admin');
      logSecurityEvent(scope, 'sessions_revoked', {
        userId,
        byUserId: admin._id.toHexString(),
        endedSessions: ended,
        reason: 'ended_by_admin',
      });
      return ended;
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

/**
 * Sets `role` with a `user.updated` event in the same write, and ends every session of the user: tokens
 * carry the role, so old ones must stop working everywhere, not at their expiry. Every path that changes
 * a role (setUserRole, the create-admin command) goes through here. No write, no event and no ended
 * session when it is already the role. Retries when the user changes in between. Null when the user
 * does not exist.
 */
export async function changeRole(
  { users, sessions, clock }: { users: UserRepository; sessions: SessionService; clock: () => Date },
  id: ObjectId,
  role: Role,
  correlationId: string,
): Promise<{ user: UserDocument; endedSessions: number } | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await users.findById(id);
    if (!current) return null;
    if (current.role === role) return { user: current, endedSessions: 0 };
    const now = clock();
    const event = userUpdated({ correlationId }, current, role, now);
    const updated = await users.setRole(current, role, event, now);
    if (updated) return { user: updated, endedSessions: await sessions.revokeAllOfUser(id, 'role_changed') };
  }
  throw new Error('user changed concurrently too often while setting its role');
}
