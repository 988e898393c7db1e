import type { Db, IndexDescription } from 'mongodb';
import { changeVersioned, documentKey, serializedWrite } from '@little-ecom/mongo';

export interface CartLine {
  productId: string;
  quantity: number;
  addedAt: Date;
}

/** One cart per user (`_id` = user id). */
export interface CartDocument {
  _id: string;
  items: CartLine[];
  /** Bumped by every change; guards read-modify-write updates. */
  version: number;
  updatedAt: Date;
}

export const CARTS = 'carts';
export const cartIndexes: IndexDescription[] = [];

export function createCartRepository(db: Db) {
  const collection = db.collection<CartDocument>(CARTS);

  return {
    find: (userId: string) => collection.findOne({ _id: userId }),

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
