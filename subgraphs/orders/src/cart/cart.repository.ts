import type { Db, IndexDescription } from 'mongodb';
import { documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';

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
    async change(userId: string, change: (items: CartLine[]) => CartLine[], now = new Date()): Promise<CartDocument> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const written = await serializedWrite(documentKey(CARTS, userId), async () => {
          const current = await collection.findOne({ _id: userId });
          const items = change(current?.items ?? []);
          if (!current) {
            const doc: CartDocument = { _id: userId, items, version: 1, updatedAt: now };
            try {
              await collection.insertOne(doc);
              return doc;
            } catch (error) {
              if (isDuplicateKeyError(error)) return null;
              throw error;
            }
          }
          const doc: CartDocument = { _id: userId, items, version: current.version + 1, updatedAt: now };
          const result = await collection.updateOne(
            { _id: userId, version: current.version },
            { $set: { items, version: doc.version, updatedAt: now } },
          );
          return result.matchedCount === 1 ? doc : null;
        });
        if (written) return written;
      }
      throw new Error('cart kept changing; giving up');
    },

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
