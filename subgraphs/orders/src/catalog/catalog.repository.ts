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
  /**
   * The product's aggregateVersion in the event this state comes from: events of one product can
   * arrive out of order (after a retry), and only a newer version changes the state. Versions count
   * per product at the source, so unlike event times they cannot tie or run backwards with clocks.
   */
  version: number;
}

export const CATALOG = 'catalog_products';
export const catalogIndexes: IndexDescription[] = [];

export type CatalogChange = Partial<Omit<CatalogProductDocument, '_id' | 'version'>>;

export function createCatalogRepository(db: Db) {
  const collection = db.collection<CatalogProductDocument>(CATALOG);
  return {
    findByIds: (ids: readonly string[]) => collection.find({ _id: { $in: [...ids] } }).toArray(),

    findById: (id: string) => collection.findOne({ _id: id }),

    /**
     * Applies an event's view of a product unless the same or a newer version was applied already.
     * A first event must carry the full state.
     */
    async apply(
      productId: string,
      version: number,
      change: CatalogChange,
      full?: Omit<CatalogProductDocument, '_id' | 'version'>,
    ) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const existing = await collection.findOne({ _id: productId });
        // The same version again is a redelivery; an older one arrived late.
        if (existing && existing.version >= version) return;
        if (!existing) {
          if (!full) return; // an update of a product we never saw created; its next full event fills it in
          try {
            await collection.insertOne({ _id: productId, ...full, version });
            return;
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
            continue;
          }
        }
        const result = await collection.updateOne(
          { _id: productId, version: existing.version },
          { $set: { ...change, version } },
        );
        if (result.matchedCount === 1) return;
      }
      throw new Error(`catalog product ${productId} kept changing; giving up (the event is retried)`);
    },
  };
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
