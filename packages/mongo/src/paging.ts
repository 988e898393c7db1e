import { BadUserInputError } from '@little-ecom/errors';

/** A Relay-style connection page, the shape of every `...Connection` type in the subgraphs. */
export interface CursorPage<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

/** The page size a client asked for (`first`), or a coded BAD_USER_INPUT error on field `first`. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX) {
    throw new BadUserInputError(`first must be between 1 and ${PAGE_SIZE_MAX}`, 'first');
  }
  return size;
}

/**
 * Builds the page from documents fetched with `limit: size + 1`: the extra one only says there is a
 * next page.
 */
export function toCursorPage<T>(docs: T[], size: number, totalCount: number, cursorOf: (node: T) => string): CursorPage<T> {
  const edges = docs.slice(0, size).map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: docs.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
