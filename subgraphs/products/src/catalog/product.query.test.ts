import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { afterCursor, buildFilter, buildSort, encodeCursor, escapeRegExp } from './product.query.js';
import type { ProductDocument } from './product.repository.js';

const doc: ProductDocument = {
  _id: new ObjectId('0123456789abcdef01234567'),
  slug: 'lamp',
  name: 'Lamp',
  nameKey: 'lamp',
  description: '',
  price: { amount: 1500, currency: 'EUR' },
  stock: 1,
  category: 'lighting',
  imageUrls: [],
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  updatedAt: new Date('2026-01-02T03:04:05.678Z'),
};

describe('product queries', () => {
  it('escapes every regex metacharacter', () => {
    const nasty = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    expect(new RegExp(escapeRegExp(nasty)).test(nasty)).toBe(true);
    expect(new RegExp(escapeRegExp('.*')).test('anything')).toBe(false);
  });

  it('builds no filter for no input and combines conditions with $and', () => {
    expect(buildFilter(undefined)).toEqual({});
    expect(buildFilter({ category: 'x' })).toEqual({ category: 'x' });
    expect(buildFilter({ category: 'x', inStock: true })).toEqual({ $and: [{ category: 'x' }, { stock: { $gt: 0 } }] });
  });

  it('always breaks ties by _id in the sort direction', () => {
    expect(buildSort('PRICE_DESC')).toEqual({ 'price.amount': -1, _id: -1 });
    expect(buildSort('NAME_ASC')).toEqual({ nameKey: 1, _id: 1 });
  });

  it('round-trips cursors for every sort, with dates restored', () => {
    expect(afterCursor('NEWEST', encodeCursor('NEWEST', doc))).toEqual({
      $or: [{ createdAt: { $lt: doc.createdAt } }, { createdAt: doc.createdAt, _id: { $lt: doc._id } }],
    });
    expect(afterCursor('PRICE_ASC', encodeCursor('PRICE_ASC', doc))).toEqual({
      $or: [{ 'price.amount': { $gt: 1500 } }, { 'price.amount': 1500, _id: { $gt: doc._id } }],
    });
  });

  it('rejects cursors that are forged, of another sort or of the wrong shape', () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'garbage',
      forge({ $gt: 1 }),
      forge(['NEWEST', { $gt: 0 }, '0123456789abcdef01234567']),
      forge(['NEWEST', 1, 'not-an-id']),
      encodeCursor('PRICE_ASC', doc),
    ]) {
      expect(() => afterCursor('NEWEST', cursor)).toThrow(/cursor/);
    }
  });
});
