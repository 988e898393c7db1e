import type { Db, IndexDescription, ObjectId } from 'mongodb';

/**
 * One login: a refresh-token family. `_id` is the session id (the `sid` claim of its access tokens).
 * Only hashes of refresh tokens are stored. Expiry is checked by the application (no TTL indexes on
 * FerretDB); housekeeping deletes sessions past their absolute lifetime.
 */
export interface SessionDocument {
  _id: string;
  userId: ObjectId;
  /** Hash of the one refresh token that is valid now. */
  tokenHash: string;
  /**
   * Hashes of the last ROTATED_HASHES_KEPT tokens already exchanged: presenting one again means a copy
   * leaked. Older ones fall off (a token that old is refused as unknown, without ending the family).
   */
  rotatedHashes: string[];
  createdAt: Date;
  lastUsedAt: Date;
  /** Absolute end: rotation never extends it. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason?: RevokeReason;
}

export type RevokeReason =
  | 'logout'
  | 'reuse_detected'
  | 'password_changed'
  | 'password_reset'
  | 'user_missing'
  | 'role_changed'
  | 'ended_by_user'
  | 'ended_by_admin'
  | 'session_limit'
  | 'factor_changed'
  | 'totp_enrollment_required';

/** How many exchanged token hashes a session keeps for reuse detection (bounds the document). */
export const ROTATED_HASHES_KEPT = 20;

export const SESSIONS = 'sessions';

export const sessionIndexes: IndexDescription[] = [
  { key: { tokenHash: 1 }, name: 'token_hash_unique', unique: true },
  { key: { rotatedHashes: 1 }, name: 'rotated_hashes' },
  { key: { userId: 1 }, name: 'user' },
  { key: { expiresAt: 1 }, name: 'expires' },
  // The revocation feed reads sessions revoked since a moment.
  { key: { revokedAt: 1 }, name: 'revoked' },
];

/** MongoDB access for sessions; each operation is a single-document atomic update or a plain query. */
export function createSessionRepository(db: Db) {
  const collection = db.collection<SessionDocument>(SESSIONS);

  return {
    async insert(session: SessionDocument): Promise<void> {
      await collection.insertOne(session);
    },

    /** The session whose current, live refresh token has this hash and that was used after `idleSince`. */
    findLive: (tokenHash: string, now: Date, idleSince: Date) =>
      collection.findOne({ tokenHash, revokedAt: null, expiresAt: { $gt: now }, lastUsedAt: { $gt: idleSince } }),

    /** The user's sessions that can still be refreshed, newest first. */
    listLive: (userId: ObjectId, now: Date, idleSince: Date) =>
      collection
        .find({ userId, revokedAt: null, expiresAt: { $gt: now }, lastUsedAt: { $gt: idleSince } })
        .sort({ createdAt: -1 })
        .limit(100)
        .toArray(),

    /** Ids of sessions revoked after `since`: what verifiers must deny. */
    async revokedSince(since: Date): Promise<string[]> {
      const docs = await collection.find({ revokedAt: { $gt: since } }, { projection: { _id: 1 } }).toArray();
      return docs.map((doc) => doc._id);
    },

    /** Moves the family from `tokenHash` to `nextHash`; callers first win the single-use claim on `tokenHash`. */
    async advance(id: string, tokenHash: string, nextHash: string, now: Date): Promise<SessionDocument | null> {
      const session = await collection.findOneAndUpdate(
        { _id: id, tokenHash, revokedAt: null },
        { $set: { tokenHash: nextHash, lastUsedAt: now }, $push: { rotatedHashes: tokenHash } },
        { returnDocument: 'after' },
      );
      if (!session || session.rotatedHashes.length <= ROTATED_HASHES_KEPT) return session;
      // FerretDB ignores `$slice` in `$push`, so the oldest hashes go in a second write; a concurrent
      // advance (another current hash by then) skips it and trims on its own.
      const rotatedHashes = session.rotatedHashes.slice(-ROTATED_HASHES_KEPT);
      await collection.updateOne({ _id: id, tokenHash: nextHash }, { $set: { rotatedHashes } });
      return { ...session, rotatedHashes };
    },

    findByRotatedHash: (tokenHash: string) => collection.findOne({ rotatedHashes: tokenHash }),

    findById: (id: string) => collection.findOne({ _id: id }),

    async revoke(
      filter: { _id: string } | { tokenHash: string } | { _id: string; userId: ObjectId },
      reason: RevokeReason,
      now: Date,
    ): Promise<boolean> {
      const result = await collection.updateOne(
        { ...filter, revokedAt: null },
        { $set: { revokedAt: now, revokedReason: reason } },
      );
      return result.modifiedCount === 1;
    },

    async revokeAllOfUser(userId: ObjectId, reason: RevokeReason, now: Date, exceptId?: string): Promise<number> {
      const result = await collection.updateMany(
        { userId, revokedAt: null, ...(exceptId ? { _id: { $ne: exceptId } } : {}) },
        { $set: { revokedAt: now, revokedReason: reason } },
      );
      return result.modifiedCount;
    },

    /** Keeps `newestId` and the `keep - 1` newest other unexpired sessions of the user, ends the rest; returns how many ended. */
    async revokeAllButNewest(userId: ObjectId, newestId: string, keep: number, now: Date): Promise<number> {
      const older = await collection
        .find({ userId, _id: { $ne: newestId }, revokedAt: null, expiresAt: { $gt: now } }, { projection: { _id: 1 } })
        .sort({ createdAt: -1 })
        .skip(keep - 1)
        .toArray();
      if (older.length === 0) return 0;
      const result = await collection.updateMany(
        { _id: { $in: older.map((s) => s._id) }, revokedAt: null },
        { $set: { revokedAt: now, revokedReason: 'session_limit' } },
      );
      return result.modifiedCount;
    },

    async deleteExpired(now: Date): Promise<number> {
      const result = await collection.deleteMany({ expiresAt: { $lte: now } });
      return result.deletedCount;
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
