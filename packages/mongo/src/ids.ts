import { ObjectId } from 'mongodb';

/** Parses a client-supplied id (24 hex digits, any case); malformed ids are ids that match nothing. */
export function parseObjectId(id: string): ObjectId | null {
  return /^[0-9a-fA-F]{24}$/.test(id) ? new ObjectId(id) : null;
}

/**
 * Loads many documents by client-supplied id with one query (`find` gets only the well-formed ids, and
 * is not called when there are none); the result is aligned with `ids`, null where missing or malformed.
 * What DataLoader batch functions need.
 */
export async function findManyById<T extends { _id: ObjectId }>(
  ids: readonly string[],
  find: (ids: ObjectId[]) => Promise<T[]>,
): Promise<(T | null)[]> {
  const objectIds = ids.map(parseObjectId).filter((id): id is ObjectId => id !== null);
  const found = objectIds.length > 0 ? await find(objectIds) : [];
  const byId = new Map(found.map((doc) => [doc._id.toHexString(), doc]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
