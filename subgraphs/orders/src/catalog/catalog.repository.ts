import type { Db, IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

/**
 * What orders knows about a product, projected from product.* events into the orders database:
 * enough to refuse unknown or deleted products in carts, show current prices, and snapshot names.
 * Orders never reads the products database; products stays the authority on price and stock at
 * reservation time (stock.reserved), so a stale projection can never change what is charged.
 */
export interface CatalogProductDocument {
  /** The product id (hex ObjectId as products publishes it). */
  _id: string;
  name: string;
  price: { amount: number; currency: string };
  /** Available units as of the last event; only a hint (the reservation decides). */
  stock: number;
  deleted: boolean;
  /** occurredAt of the event this state comes from; older events are ignored. */
  asOf: Date;
}

export const CATALOG = 'catalog_products';
export const catalogIndexes: IndexDescription[] = [];

export type CatalogChange = Partial<Omit<CatalogProductDocument, '_id' | 'asOf'>>;

export function createCatalogRepository(db: Db) {
  const collection = db.collection<CatalogProductDocument>(CATALOG);
  return {
    findByIds: (ids: readonly string[]) => collection.find({ _id: { $in: [...ids] } }).toArray(),

    findById: (id: string) => collection.findOne({ _id: id }),

    /**
     * Applies an event's view of a product unless a newer event was applied already (events of one
     * product can arrive out of order after a retry). A first event must carry the full state.
     */
    async apply(productId: string, asOf: Date, change: CatalogChange, full?: Omit<CatalogProductDocument, '_id' | 'asOf'>) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const existing = await collection.findOne({ _id: productId });
        if (existing && existing.asOf.getTime() > asOf.getTime()) return;
        if (!existing) {
          if (!full) return; // an update of a product we never saw created; its next full event fills it in
          try {
            await collection.insertOne({ _id: productId, ...full, asOf });
            return;
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
            continue;
          }
        }
        const result = await collection.updateOne({ _id: productId, asOf: existing.asOf }, { $set: { ...change, asOf } });
        if (result.matchedCount === 1) return;
      }
      throw new Error(`catalog product ${productId} kept changing; giving up (the event is retried)`);
    },
  };
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
