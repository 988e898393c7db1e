import {
  MongoClient,
  MongoServerError,
  ObjectId,
  type Collection,
  type Db,
  type Filter,
  type IndexDescription,
  type MongoClientOptions,
  type OptionalUnlessRequiredId,
  type UpdateFilter,
} from 'mongodb';
import type { Logger } from '@little-ecom/logger';

import { logDriverEvents, tallyCommands } from './driver-events.js';

export { mongoMetrics, serviceMetrics } from './metrics.js';
export { logDriverEvents, tallyCommands } from './driver-events.js';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  /** Cheap round-trip used by readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  uri: string;
  dbName: string;
  logger: Logger;
  /** Extra driver options, e.g. `monitorCommands` in tests. */
  clientOptions?: MongoClientOptions;
}

/**
 * Connects with settings that survive a database restart: the driver retries reads and writes once
 * and reconnects by itself; our callers only see an error if the database stays away.
 */
export async function connectMongo({ uri, dbName, logger, clientOptions }: ConnectOptions): Promise<MongoConnection> {
  const client = new MongoClient(uri, {
    appName: `little-ecom-${dbName}`,
    serverSelectionTimeoutMS: 10_000,
    connectTimeoutMS: 10_000,
    maxPoolSize: 20,
    retryReads: true,
    retryWrites: true,
    // Command events feed the latency metrics (mongoMetrics) and each request's log line (tallyCommands).
    monitorCommands: true,
    ...clientOptions,
  });
  tallyCommands(client);
  logDriverEvents(client, logger);
  await connectWithRetry(client, logger);
  const db = client.db(dbName);
  return {
    client,
    db,
    ping: pingDatabase(db),
    close: () => client.close(),
  };
}

async function connectWithRetry(client: MongoClient, logger: Logger, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.connect();
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      const delay = Math.min(500 * 2 ** (attempt - 1), 5_000);
      logger.warn('MongoDB not reachable yet, retrying', { attempt, delayMs: delay, err: error });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Creates the indexes a service needs; safe to call on every start. Only missing indexes (by name) are
 * created, one per command: FerretDB v1 drops the connection when one createIndexes command names
 * several indexes that already exist.
 */
export async function ensureIndexes(db: Db, indexes: Record<string, IndexDescription[]>): Promise<void> {
  for (const [name, specs] of Object.entries(indexes)) {
    const collection = db.collection(name);
    const existing = new Set(
      await collection
        .listIndexes()
        .toArray()
        .then((list: { name?: unknown }[]) => list.map((index) => String(index.name)))
        .catch((error: unknown) => {
          // A collection that does not exist yet has no indexes.
          if (error instanceof MongoServerError && error.code === 26) return [];
          throw error;
        }),
    );
    for (const spec of specs) {
      if (!spec.name) throw new Error(`index on ${name} needs a name so start-up can tell whether it exists`);
      if (!existing.has(spec.name)) await collection.createIndexes([spec]);
    }
  }
}

/**
 * True when a write failed on a unique index. MongoDB answers code 11000; FerretDB v1 (SQLite backend)
 * does so for inserts but reports updates that hit a unique index as an InternalError whose message
 * carries SQLite's "UNIQUE constraint failed".
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  return error.code === 11000 || (error.code === 1 && error.message.includes('UNIQUE constraint failed'));
}

const writeChains = new Map<string, Promise<unknown>>();

/** The key under which writes to one document are serialized, e.g. `products:<id>`. */
export function documentKey(collection: string, id: unknown): string {
  return `${collection}:${id instanceof ObjectId ? id.toHexString() : JSON.stringify(id)}`;
}

/**
 * Runs `write` after every write queued earlier under the same `key` in this process has finished.
 *
 * Why: MongoDB applies each single-document update atomically, but FerretDB v1 (our local MongoDB API)
 * does not isolate concurrent updates of one document: the later write can silently undo the earlier
 * one (measured: most of 30 concurrent $pullAll/$set pairs lost an update). The outbox relay and the
 * services update the same documents, so on FerretDB a relay clearing published events could erase a
 * password change or a freshly appended event. Queuing the writes of one process per document closes
 * that gap locally, where one process per service runs; on MongoDB it costs a promise hop.
 */
export function serializedWrite<T>(key: string, write: () => Promise<T>): Promise<T> {
  const previous = writeChains.get(key) ?? Promise.resolve();
  const run = previous.then(write, write);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  writeChains.set(key, tail);
  void tail.then(() => {
    if (writeChains.get(key) === tail) writeChains.delete(key);
  });
  return run;
}

/**
 * `serializedWrite` for one write that touches several documents (a bulk write): it runs after every
 * write queued earlier under any of `keys`, and later writes to any of them wait for it.
 */
export function serializedWrites<T>(keys: readonly string[], write: () => Promise<T>): Promise<T> {
  const previous = Promise.all(keys.map((key) => writeChains.get(key) ?? Promise.resolve()));
  const run = previous.then(write, write);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  for (const key of keys) writeChains.set(key, tail);
  void tail.then(() => {
    for (const key of keys) if (writeChains.get(key) === tail) writeChains.delete(key);
  });
  return run;
}

export { chunkedBulkWrite, MAX_WRITE_STATEMENTS, type ChunkedBulkWriteResult } from './bulk.js';
export { findManyById, parseObjectId } from './ids.js';
export { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, pageSize, toCursorPage, type CursorPage } from './paging.js';

/** Resolves when the database answers a ping, rejects when it does not. */
export const pingDatabase = (db: Db) => async (): Promise<void> => void (await db.command({ ping: 1 }));

/** The readiness check of a service's database (the shape of packages/http's ReadinessCheck). */
export const databaseReadiness = (db: Db) => ({ name: 'mongodb', check: pingDatabase(db) });

/** A document changed only by read-modify-write under a version (one per owner, e.g. a cart). */
export interface VersionedDocument {
  _id: string;
  /** Bumped by every change; guards the write. */
  version: number;
  updatedAt: Date;
}

/**
 * Replaces the fields of the document `id` with `change(current)`, guarded by the version read (an
 * insert when there is none yet), so two concurrent changes never lose one; retried while another
 * change gets in between. Queued behind this process's other writes to the document (serializedWrite).
 * `change` may throw to refuse. Returns the document as written.
 */
export async function changeVersioned<T extends VersionedDocument>(
  collection: Collection<T>,
  id: string,
  change: (current: T | null) => Omit<T, keyof VersionedDocument> | Promise<Omit<T, keyof VersionedDocument>>,
  now = new Date(),
): Promise<T> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const written = await serializedWrite(documentKey(collection.collectionName, id), async () => {
      const current = (await collection.findOne({ _id: id } as Filter<T>)) as T | null;
      const fields = await change(current);
      const doc = { ...fields, _id: id, version: (current?.version ?? 0) + 1, updatedAt: now } as T;
      if (!current) {
        try {
          await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
          return doc;
        } catch (error) {
          if (isDuplicateKeyError(error)) return null;
          throw error;
        }
      }
      const { _id: _unchanged, ...set } = doc;
      const result = await collection.updateOne(
        { _id: id, version: current.version } as Filter<T>,
        {
          $set: set,
        } as unknown as UpdateFilter<T>,
      );
      return result.matchedCount === 1 ? doc : null;
    });
    if (written) return written;
  }
  throw new Error(`${collection.collectionName} ${id} kept changing; giving up`);
}
