import type { Db, IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

/**
 * Marks a refresh or reset token as used. The unique `_id` makes the first claim win and every later
 * one fail, even for concurrent requests: FerretDB v1 does not make findOneAndUpdate atomic (two
 * concurrent exchanges of one refresh token both succeeded there), a unique index is enforced by
 * every backend.
 */
export interface UsedTokenDocument {
  /** `<kind>:<token hash>`. */
  _id: string;
  usedAt: Date;
  /** When the token would have expired anyway; the marker can go after that. */
  expiresAt: Date;
}

/** Refresh and reset tokens, TOTP time steps (`<user>:<step>`) and recovery codes (`<user>:<hash>`). */
export type SingleUseKind = 'refresh' | 'reset' | 'totp' | 'recovery';

export const USED_TOKENS = 'used_tokens';

export const usedTokenIndexes: IndexDescription[] = [{ key: { expiresAt: 1 }, name: 'expires' }];

export function createSingleUseGuard(db: Db) {
  const collection = db.collection<UsedTokenDocument>(USED_TOKENS);
  return {
    /** True for the one caller that uses the token first; false for everybody after. */
    async claim(kind: SingleUseKind, tokenHash: string, expiresAt: Date, now: Date): Promise<boolean> {
      try {
        await collection.insertOne({ _id: `${kind}:${tokenHash}`, usedAt: now, expiresAt });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },

    async deleteExpired(now: Date): Promise<number> {
      const result = await collection.deleteMany({ expiresAt: { $lte: now } });
      return result.deletedCount;
    },
  };
}

export type SingleUseGuard = ReturnType<typeof createSingleUseGuard>;
