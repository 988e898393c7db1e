import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import type { IndexDescription } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from './index.js';

describe('isDuplicateKeyError', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('mongo');
    const indexes: Record<string, IndexDescription[]> = {
      things: [
        { key: { slug: 1 }, name: 'slug_unique', unique: true },
        { key: { createdAt: -1 }, name: 'created' },
        { key: { kind: 1 }, name: 'kind' },
      ],
    };
    // Twice, as on every restart: existing indexes are left alone.
    await ensureIndexes(t.db, indexes);
    await ensureIndexes(t.db, indexes);
    expect((await t.db.collection('things').indexes()).map((i) => i.name).sort()).toEqual([
      '_id_',
      'created',
      'kind',
      'slug_unique',
    ]);
  });
  afterAll(async () => t?.drop());

  it('recognizes unique index violations on insert and on update', async () => {
    const things = t.db.collection('things');
    await things.insertMany([{ slug: 'a' }, { slug: 'b' }]);
    const onInsert = await things.insertOne({ slug: 'a' }).catch((e: unknown) => e);
    expect(isDuplicateKeyError(onInsert)).toBe(true);
    const onUpdate = await things.findOneAndUpdate({ slug: 'b' }, { $set: { slug: 'a' } }).catch((e: unknown) => e);
    expect(isDuplicateKeyError(onUpdate)).toBe(true);
    expect(isDuplicateKeyError(new Error('UNIQUE constraint failed'))).toBe(false);
  });
});
