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
  /** Hashes of tokens already exchanged: presenting one again means a copy leaked. */
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
  | 'ended_by_admin';

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
    advance: (id: string, tokenHash: string, nextHash: string, now: Date) =>
      collection.findOneAndUpdate(
        { _id: id, tokenHash, revokedAt: null },
        { $set: { tokenHash: nextHash, lastUsedAt: now }, $push: { rotatedHashes: tokenHash } },
        { returnDocument: 'after' },
      ),

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

    async deleteExpired(now: Date): Promise<number> {
      const result = await collection.deleteMany({ expiresAt: { $lte: now } });
      return result.deletedCount;
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
