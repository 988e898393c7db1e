import type { Db } from 'mongodb';
import { documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';

/**
 * The highest aggregate version applied per aggregate (`product:<id>`, ...) or per kind of change of
 * one (`product:<id>:price`), with what that version said (`value`) when the handler needs it; and
 * the once-per-period marks of `claimOncePer` (`once:<key>`).
 */
export interface AggregateVersionDocument {
  _id: string;
  version: number;
  value?: Record<string, unknown>;
  /** `claimOncePer`: the event that holds the mark. */
  eventId?: string;
  updatedAt: Date;
}

/** What `record` found: whether the event was the newest of its key, and the newest record (its own when current). */
export interface Recorded<V> {
  current: boolean;
  /** The record before this event's (null: none); when current, what the newest was before it. */
  previous: { version: number; value: V | undefined; at: Date } | null;
  latest: { version: number; value: V | undefined };
}

export const AGGREGATE_VERSIONS = 'aggregate_versions';

/**
 * Lets handlers drop stale events: the broker does not keep order across messages (retries,
 * redeliveries, prefetch), so an older `product.updated` can arrive after a newer one and would
 * otherwise mail a price drop that is no longer true.
 */
export function createAggregateVersions(db: Db) {
  const versions = db.collection<AggregateVersionDocument>(AGGREGATE_VERSIONS);

  return {
    /**
     * Records `version` as seen for `key`; false when a newer version was seen already, i.e. the
     * event is stale. The same version again (a redelivery) is admitted, so an interrupted handling
     * can finish. Version 0 (an event from before versions existed) is always admitted.
     */
    async admit(key: string, version: number): Promise<boolean> {
      if (version === 0) return true;
      // In-process serialization: FerretDB does not isolate concurrent updates of one document.
      return serializedWrite(documentKey(AGGREGATE_VERSIONS, key), async () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            const before = await versions.findOneAndUpdate(
              { _id: key },
              { $max: { version }, $set: { updatedAt: new Date() } },
              { upsert: true, returnDocument: 'before' },
            );
            return !before || before.version <= version;
          } catch (error) {
            // Two replicas inserted the first version at once: the loser reads the winner's.
            if (!isDuplicateKeyError(error)) throw error;
          }
        }
        throw new Error(`could not record version ${version} of ${key}`);
      });
    },

    /**
     * `admit` that also keeps `value` with the version, for handlers that decide from what the newest
     * event said (e.g. the stock after it) rather than only whether an event is the newest. The same
     * version again is current (a redelivery); version 0 is current and recorded as nothing.
     */
    async record<V extends Record<string, unknown>>(key: string, version: number, value: V): Promise<Recorded<V>> {
      if (version === 0) return { current: true, previous: null, latest: { version, value } };
      return serializedWrite(documentKey(AGGREGATE_VERSIONS, key), async () => {
        for (let attempt = 0; attempt < 5; attempt++) {
          const existing = await versions.findOne({ _id: key });
          const previous = existing
            ? { version: existing.version, value: existing.value as V | undefined, at: existing.updatedAt }
            : null;
          if (existing && existing.version > version) return { current: false, previous, latest: previous! };
          const now = new Date();
          try {
            if (!existing) await versions.insertOne({ _id: key, version, value, updatedAt: now });
            else {
              // Guarded by the version read: another replica's newer record wins, and we read again.
              const updated = await versions.updateOne(
                { _id: key, version: existing.version },
                { $set: { version, value, updatedAt: now } },
              );
              if (updated.matchedCount !== 1) continue;
            }
            return { current: true, previous, latest: { version, value } };
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
        }
        throw new Error(`could not record version ${version} of ${key}`);
      });
    },

    /**
     * Claims `key` for `eventId` if nobody claimed it in the last `periodMs` (or `eventId` holds it
     * already: a redelivery finishes its work). False: another event had it within the period.
     */
    async claimOncePer(key: string, eventId: string, periodMs: number, now = new Date()): Promise<boolean> {
      const id = `once:${key}`;
      return serializedWrite(documentKey(AGGREGATE_VERSIONS, id), async () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const existing = await versions.findOne({ _id: id });
          if (existing && existing.eventId !== eventId && now.getTime() - existing.updatedAt.getTime() < periodMs) return false;
          if (existing?.eventId === eventId) return true;
          try {
            if (!existing) await versions.insertOne({ _id: id, version: 0, eventId, updatedAt: now });
            else {
              const updated = await versions.updateOne(
                { _id: id, eventId: existing.eventId, updatedAt: existing.updatedAt },
                { $set: { eventId, updatedAt: now } },
              );
              if (updated.matchedCount !== 1) continue;
            }
            return true;
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
        }
        return false;
      });
    },

    current: async (key: string) => (await versions.findOne({ _id: key }))?.version ?? null,
  };
}

export type AggregateVersions = ReturnType<typeof createAggregateVersions>;
