import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { chunkedBulkWrite, MAX_WRITE_STATEMENTS } from './bulk.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase('bulk', { monitorCommands: true });
});
afterAll(() => database.drop());

// 40 inserts, the 21st a duplicate of the 1st: it fails inside the second chunk.
const ops = Array.from({ length: 40 }, (_, i) => ({ insertOne: { document: { _id: i === 20 ? 0 : i } } }));

describe('chunkedBulkWrite', () => {
  it('sends commands of at most MAX_WRITE_STATEMENTS and sums their counts', async () => {
    const col = database.db.collection<{ _id: number; v?: number }>('sums');
    await col.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i })));
    const sent: number[] = [];
    const listener = (event: { commandName: string; command: { updates?: unknown[] } }) => {
      if (event.commandName === 'update') sent.push(event.command.updates?.length ?? 0);
    };
    database.client.on('commandStarted', listener);
    const result = await chunkedBulkWrite(
      col,
      Array.from({ length: 50 }, (_, i) => ({ updateOne: { filter: { _id: i }, update: { $set: { v: 1 } } } })),
      { ordered: true },
    );
    database.client.off('commandStarted', listener);
    expect(result.matchedCount).toBe(50);
    expect(result.modifiedCount).toBe(50);
    expect(Math.max(...sent)).toBeLessThanOrEqual(MAX_WRITE_STATEMENTS);
    expect(await col.countDocuments({ v: 1 })).toBe(50);
  });

  it('ordered: stops at the first failing chunk, as one ordered bulk write stops at its first error', async () => {
    const col = database.db.collection<{ _id: number }>('ordered');
    await expect(chunkedBulkWrite(col, ops, { ordered: true })).rejects.toThrow(/duplicate key/i);
    // The first chunk, then the second up to the duplicate; nothing after it.
    expect(await col.countDocuments()).toBe(20);
  });

  it('unordered: sends every chunk, then throws the first error', async () => {
    const col = database.db.collection<{ _id: number }>('unordered');
    await expect(chunkedBulkWrite(col, ops, { ordered: false })).rejects.toThrow(/duplicate key/i);
    expect(await col.countDocuments()).toBe(39);
  });
});
