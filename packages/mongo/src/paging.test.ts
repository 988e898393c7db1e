import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { findManyById, parseObjectId } from './ids.js';
import { PAGE_SIZE_MAX, pageSize, toCursorPage } from './paging.js';

describe('pageSize', () => {
  it('defaults to 20 and accepts 1..PAGE_SIZE_MAX', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(PAGE_SIZE_MAX)).toBe(PAGE_SIZE_MAX);
  });

  it('rejects anything else with a coded error on `first`', () => {
    for (const bad of [0, -1, PAGE_SIZE_MAX + 1, 2.5]) {
      expect(() => pageSize(bad)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } }));
    }
  });
});

describe('toCursorPage', () => {
  it('keeps `size` nodes, and the extra fetched one only sets hasNextPage', () => {
    const page = toCursorPage([1, 2, 3], 2, 7, (n) => `c${n}`);
    expect(page).toEqual({
      edges: [
        { cursor: 'c1', node: 1 },
        { cursor: 'c2', node: 2 },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'c2' },
      totalCount: 7,
    });
    expect(toCursorPage([1], 2, 1, String).pageInfo).toEqual({ hasNextPage: false, endCursor: '1' });
    expect(toCursorPage([], 2, 0, String).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});

describe('ids', () => {
  it('parses 24 hex digits in any case, and nothing else', () => {
    const id = new ObjectId();
    expect(parseObjectId(id.toHexString().toUpperCase())?.equals(id)).toBe(true);
    for (const bad of ['', 'x'.repeat(24), id.toHexString().slice(1), `${id.toHexString()}0`])
      expect(parseObjectId(bad)).toBeNull();
  });

  it('loads many in one call, aligned with the ids, null where missing or malformed', async () => {
    const [a, b] = [new ObjectId(), new ObjectId()];
    const calls: ObjectId[][] = [];
    const result = await findManyById(
      [b.toHexString().toUpperCase(), 'bad', new ObjectId().toHexString(), a.toHexString()],
      async (ids) => {
        calls.push(ids);
        return [{ _id: a }, { _id: b }];
      },
    );
    expect(result).toEqual([{ _id: b }, null, null, { _id: a }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(3);
    expect(await findManyById(['bad'], async () => Promise.reject(new Error('not called')))).toEqual([null]);
  });
});
