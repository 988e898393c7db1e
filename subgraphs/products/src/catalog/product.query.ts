import { ObjectId, type Filter, type Sort } from 'mongodb';
import { BadUserInputError } from '@little-ecom/errors';
import type { ProductDocument } from './product.repository.js';

export type ProductSortName = 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'NAME_ASC';

export interface ProductFilterInput {
  category?: string | null;
  search?: string | null;
  minPrice?: number | null;
  maxPrice?: number | null;
  inStock?: boolean | null;
}

interface SortSpec {
  field: 'createdAt' | 'price.amount' | 'nameKey';
  direction: 1 | -1;
  valueOf(doc: ProductDocument): Date | number | string;
}

// Every order ends with _id in the same direction, so equal keys still have one total order and a
// cursor (key, _id) points at exactly one place in it.
const SORTS: Record<ProductSortName, SortSpec> = {
  NEWEST: { field: 'createdAt', direction: -1, valueOf: (d) => d.createdAt },
  PRICE_ASC: { field: 'price.amount', direction: 1, valueOf: (d) => d.price.amount },
  PRICE_DESC: { field: 'price.amount', direction: -1, valueOf: (d) => d.price.amount },
  NAME_ASC: { field: 'nameKey', direction: 1, valueOf: (d) => d.nameKey },
};

const MAX_SEARCH_LENGTH = 100;

/** Makes user text match literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds the MongoDB filter for a ProductFilter. User strings only ever appear as values (never as
 * keys or operator objects), and search text is escaped, so no operator or regex injection is possible.
 */
/**
 * The price bands the catalog counts products in (minor units, `max` inclusive; null: no bound), the
 * same for every currency: 0–9.99, 10–24.99, 25–49.99, 50–99.99, 100 and more.
 */
export const PRICE_BANDS: readonly { min: number; max: number | null }[] = [
  { min: 0, max: 999 },
  { min: 1_000, max: 2_499 },
  { min: 2_500, max: 4_999 },
  { min: 5_000, max: 9_999 },
  { min: 10_000, max: null },
];

/**
 * The MongoDB filter of a catalog filter. `except` leaves one condition out: a facet counts the
 * products of the other conditions, so a shopper sees what choosing another value would give.
 */
export function buildFilter(
  input: ProductFilterInput | null | undefined,
  except?: 'category' | 'price',
): Filter<ProductDocument> {
  const clauses: Filter<ProductDocument>[] = [];
  if (!input) return {};
  if (input.category != null && except !== 'category') clauses.push({ category: String(input.category) });
  if (input.search != null) {
    const search = String(input.search).trim();
    if (search.length > MAX_SEARCH_LENGTH)
      throw new BadUserInputError(`search is limited to ${MAX_SEARCH_LENGTH} characters`, 'filter.search');
    if (search !== '') {
      const pattern = escapeRegExp(search);
      clauses.push({ $or: [{ name: { $regex: pattern, $options: 'i' } }, { description: { $regex: pattern, $options: 'i' } }] });
    }
  }
  if ((input.minPrice != null || input.maxPrice != null) && except !== 'price') {
    if (input.minPrice != null && input.minPrice < 0)
      throw new BadUserInputError('minPrice must not be negative', 'filter.minPrice');
    if (input.minPrice != null && input.maxPrice != null && input.minPrice > input.maxPrice) {
      throw new BadUserInputError('minPrice must not exceed maxPrice', 'filter.minPrice');
    }
    clauses.push({
      'price.amount': {
        ...(input.minPrice != null ? { $gte: input.minPrice } : {}),
        ...(input.maxPrice != null ? { $lte: input.maxPrice } : {}),
      },
    });
  }
  if (input.inStock === true) clauses.push({ stock: { $gt: 0 } });
  if (input.inStock === false) clauses.push({ stock: { $lte: 0 } });
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

export function buildSort(sort: ProductSortName): Sort {
  const spec = SORTS[sort];
  return { [spec.field]: spec.direction, _id: spec.direction };
}

type CursorValue = number | string;

/** Opaque to clients: base64url of [sort, key, id]. Dates travel as epoch milliseconds. */
export function encodeCursor(sort: ProductSortName, doc: ProductDocument): string {
  const value = SORTS[sort].valueOf(doc);
  const key: CursorValue = value instanceof Date ? value.getTime() : value;
  return Buffer.from(JSON.stringify([sort, key, doc._id.toHexString()])).toString('base64url');
}

/** The condition selecting documents strictly after the cursor in the given order. */
export function afterCursor(sort: ProductSortName, cursor: string): Filter<ProductDocument> {
  const invalid = () => new BadUserInputError('after is not a valid cursor for this query', 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [cursorSort, rawKey, rawId] = parsed as unknown[];
  if (cursorSort !== sort || typeof rawId !== 'string' || !/^[0-9a-f]{24}$/.test(rawId)) throw invalid();
  const spec = SORTS[sort];
  let key: Date | number | string;
  if (spec.field === 'nameKey') {
    if (typeof rawKey !== 'string') throw invalid();
    key = rawKey;
  } else {
    if (typeof rawKey !== 'number' || !Number.isFinite(rawKey)) throw invalid();
    key = spec.field === 'createdAt' ? new Date(rawKey) : rawKey;
  }
  const op = spec.direction === 1 ? '$gt' : '$lt';
  const id = new ObjectId(rawId);
  return { $or: [{ [spec.field]: { [op]: key } }, { [spec.field]: key, _id: { [op]: id } }] };
}
