import type { Db } from 'mongodb';
import { documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';

/** The highest aggregate version applied per aggregate (`product:<id>`, ...). */
export interface AggregateVersionDocument {
  _id: string;
  version: number;
  updatedAt: Date;
}

const AGGREGATE_VERSIONS = 'aggregate_versions';

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

    current: async (key: string) => (await versions.findOne({ _id: key }))?.version ?? null,
  };
}

export type AggregateVersions = ReturnType<typeof createAggregateVersions>;
