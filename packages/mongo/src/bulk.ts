import type { AnyBulkWriteOperation, BulkWriteOptions, Collection, Document } from 'mongodb';

/**
 * Most statements one write command carries. FerretDB v1 (SQLite) keeps one pooled connection open
 * per matched update statement until the whole command ends, and needs one more for each write; its
 * pool holds 100 connections per database. A command of ~100 statements (or a few large ones at once)
 * therefore waits for itself forever, and the next collection or index creation, holding FerretDB's
 * registry lock while it waits for a connection, stops every database behind it (docs/events.md,
 * "FerretDB v1"). On MongoDB a chunk costs one round trip more; nothing else changes.
 */
export const MAX_WRITE_STATEMENTS = 16;

/** The counts callers read from a bulk write, summed over its chunks. */
export interface ChunkedBulkWriteResult {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
}

/**
 * `collection.bulkWrite(ops)` sent as commands of at most `MAX_WRITE_STATEMENTS` statements, one after
 * the other. Ordered: the first failing chunk throws and later chunks are not sent, as an ordered bulk
 * write stops at its first error. Unordered: every chunk is sent and the first error is thrown after.
 */
export async function chunkedBulkWrite<T extends Document>(
  collection: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
  options: BulkWriteOptions & { ordered: boolean },
): Promise<ChunkedBulkWriteResult> {
  const total: ChunkedBulkWriteResult = {
    insertedCount: 0,
    matchedCount: 0,
    modifiedCount: 0,
    deletedCount: 0,
    upsertedCount: 0,
  };
  let failure: Error | undefined;
  for (let start = 0; start < ops.length; start += MAX_WRITE_STATEMENTS) {
    try {
      const result = await collection.bulkWrite(ops.slice(start, start + MAX_WRITE_STATEMENTS), options);
      total.insertedCount += result.insertedCount;
      total.matchedCount += result.matchedCount;
      total.modifiedCount += result.modifiedCount;
      total.deletedCount += result.deletedCount;
      total.upsertedCount += result.upsertedCount;
    } catch (error) {
      if (options.ordered) throw error;
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  if (failure) throw failure;
  return total;
}
