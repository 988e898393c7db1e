import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

interface LeaseDocument {
  _id: string;
  owner: string;
  until: Date;
}

export interface Leases {
  /** True when this owner now holds `key` for the lease duration. */
  acquire(key: string): Promise<boolean>;
  /** Takes every free (or lapsed) lease among `keys` in as few writes as possible; returns those now held. */
  acquireMany(keys: string[]): Promise<Set<string>>;
  release(key: string): Promise<void>;
  releaseMany(keys: string[]): Promise<void>;
}

/**
 * Expiring, exclusive leases stored as documents with a unique `_id`. Taking one is an insert,
 * the one write that stays atomic under concurrency even on FerretDB v1 (whose findAndModify and
 * conditional updates are not isolated). A lease whose holder died lapses after `leaseMs`.
 */
export function createLeases(db: Db, collection: string, owner: string, leaseMs: number): Leases {
  const leases = db.collection<LeaseDocument>(collection);
  const api: Leases = {
    async acquire(key) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const now = new Date();
        try {
          await leases.insertOne({ _id: key, owner, until: new Date(now.getTime() + leaseMs) });
          return true;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        const held = await leases.findOne({ _id: key });
        if (held && held.until >= now) return false;
        if (held) await leases.deleteOne({ _id: key, owner: held.owner, until: held.until });
      }
      return false;
    },
    async acquireMany(keys) {
      if (keys.length === 0) return new Set();
      const until = new Date(Date.now() + leaseMs);
      try {
        await leases.insertMany(
          keys.map((key) => ({ _id: key, owner, until })),
          { ordered: false },
        );
        return new Set(keys);
      } catch (error) {
        if (!isDuplicateKeyError(error) && !hasWriteErrors(error)) throw error;
        const failed = new Set(writeErrorIndexes(error).map((i) => keys[i]));
        const held = new Set(keys.filter((key) => !failed.has(key)));
        // Taken by someone: worth a second look only if that lease lapsed.
        for (const key of failed) if (key !== undefined && (await api.acquire(key))) held.add(key);
        return held;
      }
    },
    async release(key) {
      await leases.deleteOne({ _id: key, owner });
    },
    async releaseMany(keys) {
      if (keys.length > 0) await leases.deleteMany({ _id: { $in: keys }, owner });
    },
  };
  return api;
}

const hasWriteErrors = (error: unknown) => writeErrorIndexes(error).length > 0;

function writeErrorIndexes(error: unknown): number[] {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.map((e) => (e as { index?: unknown }).index).filter((i): i is number => typeof i === 'number');
}
