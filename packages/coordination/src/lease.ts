import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

interface LeaseDocument {
  _id: string;
  owner: string;
  until: Date;
  /** What the lease is on, so others can skip it when they look for work (see `heldRefs`). */
  scope?: string;
  ref?: unknown;
}

export interface Leases {
  /** True when this owner now holds `key` for the lease duration. */
  acquire(key: string, extra?: { scope: string; ref: unknown }): Promise<boolean>;
  /** Takes every free (or lapsed) lease among `keys` in as few writes as possible; returns those now held. */
  acquireMany(keys: string[], refs?: { scope: string; refs: unknown[] }): Promise<Set<string>>;
  /** The `ref`s of `scope` under a live lease of any owner: work somebody is doing right now. */
  heldRefs(scope: string): Promise<unknown[]>;
  /** Extends a lease this owner holds; false when it lapsed and someone else took it meanwhile. */
  renew(key: string): Promise<boolean>;
  /** Extends every lease among `keys` this owner still holds, in one write; returns how many it extended. */
  renewMany(keys: string[]): Promise<number>;
  release(key: string): Promise<void>;
  releaseMany(keys: string[]): Promise<void>;
}

/**
 * Expiring, exclusive leases stored as documents with a unique `_id`. Taking one is an insert,
 * the one write that stays atomic under concurrency even on FerretDB v1 (whose findAndModify and
 * conditional updates are not isolated). A lease whose holder died lapses after `leaseMs`.
 */
export function createLeases(db: Db, collection: string, owner: string, leaseMs: number): Leases {
  // Majority on a replica set: a lease a failover rolled back would let two replicas publish the same document.
  const leases = db.collection<LeaseDocument>(collection, {
    writeConcern: { w: 'majority' },
    readConcern: { level: 'majority' },
  });
  const api: Leases = {
    async acquire(key, extra) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const now = new Date();
        try {
          await leases.insertOne({ _id: key, owner, until: new Date(now.getTime() + leaseMs), ...extra });
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
    async acquireMany(keys, refs) {
      if (keys.length === 0) return new Set();
      const until = new Date(Date.now() + leaseMs);
      try {
        await leases.insertMany(
          keys.map((key, i) => ({ _id: key, owner, until, ...(refs ? { scope: refs.scope, ref: refs.refs[i] } : {}) })),
          { ordered: false },
        );
        return new Set(keys);
      } catch (error) {
        if (!isDuplicateKeyError(error) && !hasWriteErrors(error)) throw error;
        const failed = new Set(writeErrorIndexes(error).map((i) => keys[i]));
        const held = new Set(keys.filter((key) => !failed.has(key)));
        // Taken by someone: worth a second look only if that lease lapsed.
        for (const key of failed) {
          const i = keys.indexOf(key!);
          const extra = refs ? { scope: refs.scope, ref: refs.refs[i] } : undefined;
          if (key !== undefined && (await api.acquire(key, extra))) held.add(key);
        }
        return held;
      }
    },
    async heldRefs(scope) {
      const live = await leases.find({ scope, until: { $gt: new Date() } }, { projection: { ref: 1 } }).toArray();
      return live.map((lease) => lease.ref);
    },
    async renew(key) {
      const renewed = await leases.updateOne({ _id: key, owner }, { $set: { until: new Date(Date.now() + leaseMs) } });
      return renewed.matchedCount === 1;
    },
    async renewMany(keys) {
      if (keys.length === 0) return 0;
      const renewed = await leases.updateMany({ _id: { $in: keys }, owner }, { $set: { until: new Date(Date.now() + leaseMs) } });
      return renewed.matchedCount;
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
