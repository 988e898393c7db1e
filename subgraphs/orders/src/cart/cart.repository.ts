import type { Db, IndexDescription } from 'mongodb';
import { changeVersioned, documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';

export interface CartLine {
  productId: string;
  quantity: number;
  addedAt: Date;
}

/** One cart per user (`_id` = user id), or per guest (`_id` = `guest:` + SHA-256 of the guest's token). */
export interface CartDocument {
  _id: string;
  items: CartLine[];
  /** Bumped by every change; guards read-modify-write updates. */
  version: number;
  updatedAt: Date;
  /** Guest carts: a hash of the client address that started it, and when (for the rate limit). */
  startedBy?: string;
  startedAt?: Date;
}

export const CARTS = 'carts';
/** One receipt per merged guest cart: a unique insert, so a guest cart merges exactly once. */
export const GUEST_CART_MERGES = 'guest_cart_merges';
export const cartIndexes: IndexDescription[] = [
  { key: { updatedAt: 1 }, name: 'updated' },
  { key: { startedBy: 1, startedAt: 1 }, name: 'guest_started_by', sparse: true },
];

export function createCartRepository(db: Db) {
  const collection = db.collection<CartDocument>(CARTS);
  const merges = db.collection<{ _id: string; userId: string; at: Date }>(GUEST_CART_MERGES);

  return {
    find: (userId: string) => collection.findOne({ _id: userId }),

    /** A new, empty guest cart under `id`, started by the client `startedBy` (a hash). */
    async createGuest(id: string, startedBy: string, now = new Date()): Promise<void> {
      await collection.insertOne({ _id: id, items: [], version: 1, updatedAt: now, startedBy, startedAt: now });
    },

    /** Guest carts the client `startedBy` started since `since`. */
    countStartedSince: (startedBy: string, since: Date) => collection.countDocuments({ startedBy, startedAt: { $gte: since } }),

    /** Claims the merge of guest cart `id` for `userId`: true for the one caller that merges it. */
    async claimMerge(id: string, userId: string, now = new Date()): Promise<boolean> {
      try {
        await merges.insertOne({ _id: id, userId, at: now });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },

    remove: (id: string) => serializedWrite(documentKey(CARTS, id), () => collection.deleteOne({ _id: id })),

    /** Deletes guest carts untouched since `before` (at most `limit`); returns how many. */
    async removeStaleGuests(before: Date, limit: number): Promise<number> {
      const stale = await collection
        .find({ _id: { $regex: '^guest:' }, updatedAt: { $lt: before } }, { projection: { _id: 1 } })
        .limit(limit)
        .toArray();
      if (stale.length === 0) return 0;
      const result = await collection.deleteMany({ _id: { $in: stale.map((c) => c._id) }, updatedAt: { $lt: before } });
      return result.deletedCount;
    },

    /**
     * Replaces the cart's lines with `change(current lines)`, guarded by the version read, so two
     * concurrent changes of one cart never lose one of them. Returns the cart after the change.
     */
    change: (userId: string, change: (items: CartLine[]) => CartLine[] | Promise<CartLine[]>, now = new Date()) =>
      changeVersioned(collection, userId, async (current) => ({ items: await change(current?.items ?? []) }), now),

    /** Empties the cart if it is still at `version` (a checkout must not drop lines added after it read the cart). */
    async clearIfUnchanged(userId: string, version: number, now = new Date()): Promise<boolean> {
      const result = await serializedWrite(documentKey(CARTS, userId), () =>
        collection.updateOne({ _id: userId, version }, { $set: { items: [], version: version + 1, updatedAt: now } }),
      );
      return result.matchedCount === 1;
    },
  };
}

export type CartRepository = ReturnType<typeof createCartRepository>;
