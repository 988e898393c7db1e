import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import type { IndexDescription } from 'mongodb';
import { documentKey, ensureIndexes, isDuplicateKeyError, serializedWrite } from './index.js';

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

describe('serializedWrite', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('mongo_serial');
  });
  afterAll(async () => t?.drop());

  it('runs writes to one key one after another, and other keys independently', async () => {
    const order: string[] = [];
    const slow = (label: string, ms: number) => async () => {
      order.push(`${label} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${label} end`);
      return label;
    };
    const results = await Promise.all([
      serializedWrite('doc:1', slow('a', 30)),
      serializedWrite('doc:1', slow('b', 1)),
      serializedWrite('doc:2', slow('c', 1)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(order.indexOf('b start')).toBeGreaterThan(order.indexOf('a end'));
    expect(order.indexOf('c end')).toBeLessThan(order.indexOf('a end'));
  });

  it('keeps going after a failed write', async () => {
    await expect(serializedWrite('doc:3', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(serializedWrite('doc:3', async () => 'next')).resolves.toBe('next');
  });

  it('keeps concurrent updates of one document on FerretDB', async () => {
    const docs = t.db.collection<{ _id: number; outbox: number[]; pw: number }>('race');
    await docs.insertOne({ _id: 1, outbox: [], pw: 0 });
    const key = documentKey('race', 1);
    for (let round = 0; round < 20; round++) {
      await docs.updateOne({ _id: 1 }, { $push: { outbox: round } });
      await Promise.all([
        serializedWrite(key, () => docs.updateOne({ _id: 1 }, { $pullAll: { outbox: [round] } })),
        serializedWrite(key, () => docs.updateOne({ _id: 1 }, { $set: { pw: round + 1 }, $push: { outbox: 1000 + round } })),
      ]);
      const doc = await docs.findOne({ _id: 1 });
      expect(doc).toMatchObject({ pw: round + 1 });
      expect(doc!.outbox).toContain(1000 + round);
      expect(doc!.outbox).not.toContain(round);
    }
  });
});
