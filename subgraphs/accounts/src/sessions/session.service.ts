import { randomUUID } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { UnauthenticatedError } from '@little-ecom/errors';
import type { Logger } from '@little-ecom/logger';
import { hashSecretToken, isPlausibleSecretToken, newSecretToken } from './secret-token.js';
import type { RevokeReason, SessionDocument, SessionRepository } from './session.repository.js';
import type { SingleUseGuard } from './single-use.js';

export interface SessionServiceDeps {
  repository: SessionRepository;
  singleUse: SingleUseGuard;
  logger: Logger;
  refreshTtlSeconds: number;
  /** A refresh token unused for this long no longer works (idle timeout). */
  idleTtlSeconds: number;
  /** Live sessions a user may hold; opening one more ends the oldest. */
  maxPerUser: number;
  /** How long a revoked session stays in the revocation feed: its access tokens' lifetime plus skew. */
  revocationHorizonSeconds: number;
  clock: () => Date;
}

const invalidRefreshToken = () => new UnauthenticatedError('Invalid or expired refresh token');

/**
 * Refresh tokens as RFC 9700 §4.14 asks: opaque, stored hashed, rotated on every use, with an absolute
 * lifetime; presenting a token that was already exchanged revokes its whole family.
 */
export function createSessionService(deps: SessionServiceDeps) {
  const { repository, singleUse, logger, refreshTtlSeconds, clock } = deps;
  const idleSince = (now: Date) => new Date(now.getTime() - deps.idleTtlSeconds * 1000);
  return {
    /** Opens a new session for a successful login; returns the raw refresh token once. */
    async start(userId: ObjectId): Promise<{ session: SessionDocument; refreshToken: string }> {
      const now = clock();
      const refreshToken = newSecretToken();
      const session: SessionDocument = {
        _id: randomUUID(),
        userId,
        tokenHash: hashSecretToken(refreshToken),
        rotatedHashes: [],
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + refreshTtlSeconds * 1000),
        revokedAt: null,
      };
      await repository.insert(session);
      // Every login is a 30-day credential: a user holds at most `maxPerUser`, the oldest go first.
      const ended = await repository.revokeAllButNewest(userId, session._id, deps.maxPerUser, now);
      if (ended > 0)
        logger.info('oldest sessions ended over the per-user limit', {
          security: 'sessions_revoked',
          reason: 'session_limit',
          userId: userId.toHexString(),
          endedSessions: ended,
        });
      return { session, refreshToken };
    },

    /**
     * Exchanges a refresh token for the next one of its family. `admit` sees the live session before
     * anything changes and may refuse (a rate limit, a rule the user no longer meets): the token then
     * stays valid, so a refused refresh cannot be mistaken for a replay later.
     */
    async rotate(
      refreshToken: string,
      admit: (session: SessionDocument) => Promise<void> = async () => {},
    ): Promise<{ session: SessionDocument; refreshToken: string }> {
      if (!isPlausibleSecretToken(refreshToken)) throw invalidRefreshToken();
      const now = clock();
      const tokenHash = hashSecretToken(refreshToken);
      const current = await repository.findLive(tokenHash, now, idleSince(now));
      if (current) {
        await admit(current);
        if (await singleUse.claim('refresh', tokenHash, current.expiresAt, now)) {
          const next = newSecretToken();
          const session = await repository.advance(current._id, tokenHash, hashSecretToken(next), now);
          if (session) return { session, refreshToken: next };
        }
        // Lost a race with a concurrent exchange of the same token (e.g. two tabs refreshing at once):
        // one request wins, this one is refused. Revoking here would also kill the winner's fresh token
        // depending on timing; a stolen copy is still caught when it is replayed after the rotation.
        throw invalidRefreshToken();
      }

      // Exchanged before and presented again: the client or an attacker holds a stolen copy; we cannot
      // tell which, so the whole family ends.
      const reused = await repository.findByRotatedHash(tokenHash);
      if (reused && (await repository.revoke({ _id: reused._id }, 'reuse_detected', now))) {
        logger.warn('refresh token reuse detected, session family revoked', {
          security: 'sessions_revoked',
          reason: 'reuse_detected',
          userId: reused.userId.toHexString(),
          sessionId: reused._id,
        });
      }
      throw invalidRefreshToken();
    },

    /** Ends the session of `refreshToken`; false when it was not a live token. */
    async revokeByToken(refreshToken: string, reason: RevokeReason): Promise<boolean> {
      if (!isPlausibleSecretToken(refreshToken)) return false;
      return repository.revoke({ tokenHash: hashSecretToken(refreshToken) }, reason, clock());
    },

    revokeById: (sessionId: string, reason: RevokeReason) => repository.revoke({ _id: sessionId }, reason, clock()),

    /** Ends every session of the user, except `exceptSessionId` when given. */
    revokeAllOfUser: (userId: ObjectId, reason: RevokeReason, exceptSessionId?: string) =>
      repository.revokeAllOfUser(userId, reason, clock(), exceptSessionId),

    /** The user's sessions that can still be refreshed. */
    listLive: (userId: ObjectId) => {
      const now = clock();
      return repository.listLive(userId, now, idleSince(now));
    },

    /** Ends one of the user's own sessions; false when it is not theirs or already ended. */
    endOwn: (userId: ObjectId, sessionId: string) => repository.revoke({ _id: sessionId, userId }, 'ended_by_user', clock()),

    /**
     * The revocation feed (`/internal/revocations`, and accounts' own verifier): sessions revoked after
     * `since`, at most one horizon back, so every still-unexpired access token of an ended session is listed.
     */
    async revocationFeed(since: Date | undefined) {
      const now = clock();
      const horizonStart = new Date(now.getTime() - deps.revocationHorizonSeconds * 1000);
      const from = since && since > horizonStart ? since : horizonStart;
      return {
        serverTime: now.toISOString(),
        horizonSeconds: deps.revocationHorizonSeconds,
        revokedSessions: await repository.revokedSince(from),
      };
    },

    /** True while the session can still be refreshed. */
    async isActive(sessionId: string): Promise<boolean> {
      const session = await repository.findById(sessionId);
      return session !== null && session.revokedAt === null && session.expiresAt > clock();
    },

    async deleteExpired(): Promise<number> {
      const now = clock();
      return (await repository.deleteExpired(now)) + (await singleUse.deleteExpired(now));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
