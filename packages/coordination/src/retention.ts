import { randomUUID } from 'node:crypto';
import type { Db, Filter, ObjectId } from 'mongodb';
import { createLeases } from './lease.js';
import { createWakeup } from './wakeup.js';

/** A swept document: only its `_id` (an ObjectId or a string key) is read. */
export interface SweptDocument {
  _id: ObjectId | string;
}

/** What one collection keeps: documents matching `expired(now)` are deleted, oldest pass first. */
export interface RetentionRule {
  collection: string;
  /** The documents past their retention at `now` (never those still in use: pending, held). */
  expired(now: Date): Filter<SweptDocument>;
}

export interface RetentionSettings {
  /** How often one replica sweeps. */
  intervalMs: number;
  /** Documents deleted per write (ids read first, then deleted by `_id`). */
  batchSize: number;
  /** Batches per collection per pass: the rest waits for the next pass, so a pass stays bounded. */
  maxBatches: number;
}

export interface RetentionSweep {
  /** One pass now, lease or not; returns how many documents it deleted per collection. */
  sweep(now?: Date): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * One pass of the sweep, without a lease (tests, a CLI): per rule, at most `maxBatches` reads of
 * `batchSize` expired ids, each followed by a delete by `_id`. Returns the deletions per collection.
 */
export async function sweepOnce(
  db: Db,
  rules: RetentionRule[],
  settings: Pick<RetentionSettings, 'batchSize' | 'maxBatches'>,
  now = new Date(),
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const rule of rules) {
    const collection = db.collection<SweptDocument>(rule.collection);
    let count = 0;
    for (let batch = 0; batch < settings.maxBatches; batch++) {
      const ids = await collection
        .find(rule.expired(now), { projection: { _id: 1 } })
        .limit(settings.batchSize)
        .map((doc) => doc._id)
        .toArray();
      if (ids.length === 0) break;
      // Matched again on delete: a document put back in use meanwhile (an admin retry) stays.
      const result = await collection.deleteMany({ $and: [{ _id: { $in: ids } }, rule.expired(now)] });
      count += result.deletedCount;
      if (ids.length < settings.batchSize) break;
    }
    deleted[rule.collection] = count;
  }
  return deleted;
}

const LEASE_KEY = 'retention';

/**
 * Deletes what outlived its retention, application-side (FerretDB has no TTL indexes): every
 * `intervalMs`, the replica holding the `retention` lease deletes, per rule, at most
 * `maxBatches` × `batchSize` documents, each batch by `_id`.
 */
export function startRetentionSweep(deps: {
  db: Db;
  /** The lease collection (one sweeper at a time across replicas). */
  leaseCollection: string;
  rules: RetentionRule[];
  settings: RetentionSettings;
  onSwept?: (deleted: Record<string, number>) => void;
  onError?: (error: unknown) => void;
}): RetentionSweep {
  const { settings } = deps;
  // The lease outlives a pass, and lapses if the holder died; it is never released early, so the
  // other replicas skip their turn until the interval has gone by.
  const leases = createLeases(deps.db, deps.leaseCollection, `retention-${randomUUID()}`, settings.intervalMs);
  const wakeup = createWakeup();

  const sweep = (now = new Date()) => sweepOnce(deps.db, deps.rules, settings, now);

  const loop = (async () => {
    while (!wakeup.stopped) {
      try {
        if (await leases.acquire(LEASE_KEY)) deps.onSwept?.(await sweep());
      } catch (error) {
        deps.onError?.(error);
      }
      await wakeup.sleep(settings.intervalMs);
    }
  })();

  return {
    sweep,
    async stop() {
      wakeup.stop();
      await loop;
    },
  };
}
