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
  release(key: string): Promise<void>;
}

/**
 * Expiring, exclusive leases stored as documents with a unique `_id`. Taking one is an insert,
 * the one write that stays atomic under concurrency even on FerretDB v1 (whose findAndModify and
 * conditional updates are not isolated). A lease whose holder died lapses after `leaseMs`.
 */
export function createLeases(db: Db, collection: string, owner: string, leaseMs: number): Leases {
  const leases = db.collection<LeaseDocument>(collection);
  return {
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
    async release(key) {
      await leases.deleteOne({ _id: key, owner });
    },
  };
}
