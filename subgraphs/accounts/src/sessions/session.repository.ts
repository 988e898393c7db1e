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

export type RevokeReason = 'logout' | 'reuse_detected' | 'password_changed' | 'password_reset' | 'user_missing';

export const SESSIONS = 'sessions';

export const sessionIndexes: IndexDescription[] = [
  { key: { tokenHash: 1 }, name: 'token_hash_unique', unique: true },
  { key: { rotatedHashes: 1 }, name: 'rotated_hashes' },
  { key: { userId: 1 }, name: 'user' },
  { key: { expiresAt: 1 }, name: 'expires' },
];

/** MongoDB access for sessions; each operation is a single-document atomic update or a plain query. */
export function createSessionRepository(db: Db) {
  const collection = db.collection<SessionDocument>(SESSIONS);

  return {
    async insert(session: SessionDocument): Promise<void> {
      await collection.insertOne(session);
    },

    /** The session whose current, live refresh token has this hash. */
    findLive: (tokenHash: string, now: Date) => collection.findOne({ tokenHash, revokedAt: null, expiresAt: { $gt: now } }),

    /** Moves the family from `tokenHash` to `nextHash`; callers first win the single-use claim on `tokenHash`. */
    advance: (id: string, tokenHash: string, nextHash: string, now: Date) =>
      collection.findOneAndUpdate(
        { _id: id, tokenHash, revokedAt: null },
        { $set: { tokenHash: nextHash, lastUsedAt: now }, $push: { rotatedHashes: tokenHash } },
        { returnDocument: 'after' },
      ),

    findByRotatedHash: (tokenHash: string) => collection.findOne({ rotatedHashes: tokenHash }),

    findById: (id: string) => collection.findOne({ _id: id }),

    async revoke(filter: { _id: string } | { tokenHash: string }, reason: RevokeReason, now: Date): Promise<boolean> {
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
