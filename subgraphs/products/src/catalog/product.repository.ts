import { ObjectId, type Db, type Filter, type IndexDescription, type Sort } from 'mongodb';
import {
  announceOutboxWrite,
  outboxAppend,
  outboxFields,
  outboxIndex,
  type EventEnvelope,
  type MoneyData,
} from '@little-ecom/events';
import { documentKey, serializedWrite } from '@little-ecom/mongo';

/** Units of a product held for one order, inside the product document: the reservation is the stock change (see stock/). */
export interface StockReservation {
  orderId: string;
  quantity: number;
  /** The price and name the order is charged at, fixed when the units were taken. */
  unitPrice: MoneyData;
  name: string;
  at: Date;
}

/** A product as stored in the `products` collection. */
export interface ProductDocument {
  _id: ObjectId;
  slug: string;
  name: string;
  /** Lower-cased name: FerretDB has no collations, so case-insensitive sorting uses this copy. */
  nameKey: string;
  description: string;
  price: { amount: number; currency: string };
  stock: number;
  category: string;
  imageUrls: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Set by a delete: the document stays, hidden from every query, until the relay has published its `product.deleted`. */
  deletedAt?: Date;
  /**
   * Aggregate version: 1 at creation, +1 with every change that emits an event, written in the
   * same update as the change and carried in the event (`aggregateVersion`). Absent on products
   * created before versions existed, which count as version 1.
   */
  version?: number;
  /** Events written with the change that caused them, not yet published (see @little-ecom/events). */
  outbox?: EventEnvelope[];
  /** Set with every outbox append, cleared by the relay once the outbox is drained (the relay's index). */
  outboxDueAt?: Date;
  /** Units held for open orders, one entry per order; `stock` is what is left to sell (see stock/). */
  reservations?: StockReservation[];
}

export type NewProduct = Omit<
  ProductDocument,
  '_id' | 'nameKey' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'outbox' | 'outboxDueAt' | 'version' | 'reservations'
>;
export type ProductChanges = Partial<NewProduct>;

export const PRODUCTS = 'products';

export const productIndexes: IndexDescription[] = [
  { key: { slug: 1 }, name: 'slug_unique', unique: true },
  { key: { createdAt: -1, _id: -1 }, name: 'newest' },
  { key: { 'price.amount': 1, _id: 1 }, name: 'price' },
  { key: { nameKey: 1, _id: 1 }, name: 'name' },
  { key: { category: 1 }, name: 'category' },
  outboxIndex,
];

/** What the outbox relay deletes once a soft-deleted product's last event is out. */
export const productRemovedWhenDrained = { deletedAt: { $exists: true } };

/** The version a product gets with its next event-emitting change. */
const nextVersion = (doc: ProductDocument) => (doc.version ?? 1) + 1;

/** Matches the document only while it still has the version that was read (optimistic check). */
const atVersion = (doc: ProductDocument): Filter<ProductDocument> =>
  doc.version === undefined ? { version: { $exists: false } } : { version: doc.version };

// Soft-deleted products are invisible to every read.
const live = <T extends Filter<ProductDocument>>(filter: T): Filter<ProductDocument> => ({
  $and: [{ deletedAt: { $exists: false } }, filter],
});

export interface ListQuery {
  filter: Filter<ProductDocument>;
  /** Extra condition that starts the page after the cursor; not part of `totalCount`. */
  after?: Filter<ProductDocument>;
  sort: Sort;
  limit: number;
}

/** MongoDB access for products; no business rules here. */
export function createProductRepository(db: Db) {
  const collection = db.collection<ProductDocument>(PRODUCTS);

  return {
    findById: (id: ObjectId) => collection.findOne(live({ _id: id })),

    findBySlug: (slug: string) => collection.findOne(live({ slug })),

    /** One query for the whole batch, whatever its size. */
    findByIds: (ids: ObjectId[]) => collection.find(live({ _id: { $in: ids } })).toArray(),

    list: ({ filter, after, sort, limit }: ListQuery) =>
      collection
        .find(live(after ? { $and: [filter, after] } : filter))
        .sort(sort)
        .limit(limit)
        .toArray(),

    count: (filter: Filter<ProductDocument>) => collection.countDocuments(live(filter)),

    /** Products matching `filter` per category: one aggregation. */
    countByCategory: async (filter: Filter<ProductDocument>) =>
      (
        await collection
          .aggregate<{ _id: string; count: number }>([
            { $match: live(filter) },
            { $group: { _id: '$category', count: { $sum: 1 } } },
          ])
          .toArray()
      ).map(({ _id, count }) => ({ value: _id, count })),

    /** Inserts the product together with the events `eventsFor` builds for it: one write. */
    async insert(
      product: NewProduct,
      now = new Date(),
      eventsFor: (doc: ProductDocument) => EventEnvelope[] = () => [],
    ): Promise<ProductDocument> {
      const doc: ProductDocument = {
        _id: new ObjectId(),
        ...product,
        nameKey: product.name.toLowerCase(),
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      const outbox = eventsFor(doc);
      await collection.insertOne({ ...doc, ...outboxFields(outbox, now) });
      if (outbox.length > 0) announceOutboxWrite(PRODUCTS, [doc._id]);
      return doc;
    },

    /**
     * Applies `changes` and appends the event `eventFor(before, after)` in one single-document update,
     * guarded by the state the event describes (retried if someone changed it in between). Returns
     * the document after the change, or null if missing.
     */
    async update(
      id: ObjectId,
      changes: ProductChanges,
      eventFor: (before: ProductDocument, after: ProductDocument) => EventEnvelope,
      now = new Date(),
    ): Promise<ProductDocument | null> {
      const set = { ...changes, ...(changes.name !== undefined ? { nameKey: changes.name.toLowerCase() } : {}), updatedAt: now };
      for (let attempt = 0; attempt < 5; attempt++) {
        const before = await collection.findOne(live({ _id: id }));
        if (!before) return null;
        const { outbox: _pending, ...current } = before;
        const after: ProductDocument = { ...current, ...set, version: nextVersion(before) };
        const result = await serializedWrite(documentKey(PRODUCTS, id), () =>
          collection.updateOne(
            live({
              _id: id,
              updatedAt: before.updatedAt,
              'price.amount': before.price.amount,
              'price.currency': before.price.currency,
              stock: before.stock,
              ...atVersion(before),
            }),
            { $set: { ...set, version: after.version }, ...outboxAppend(eventFor(current, after), now) },
          ),
        );
        if (result.matchedCount === 1) {
          announceOutboxWrite(PRODUCTS, [id]);
          return after;
        }
      }
      throw new Error('product kept changing during the update; giving up');
    },

    /**
     * Hides the product and appends its `product.deleted` event in one update; the slug is freed at
     * once. The relay removes the document after publishing (see productRemovedWhenDrained).
     */
    async softDelete(
      id: ObjectId,
      eventFor: (before: ProductDocument, version: number) => EventEnvelope,
      now = new Date(),
    ): Promise<boolean> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const before = await collection.findOne(live({ _id: id }));
        if (!before) return false;
        const version = nextVersion(before);
        const result = await serializedWrite(documentKey(PRODUCTS, id), () =>
          collection.updateOne(live({ _id: id, ...atVersion(before) }), {
            $set: { deletedAt: now, slug: `${before.slug}~deleted~${id.toHexString()}`, version },
            ...outboxAppend(eventFor(before, version), now),
          }),
        );
        if (result.matchedCount === 1) {
          announceOutboxWrite(PRODUCTS, [id]);
          return true;
        }
      }
      throw new Error('product kept changing during the delete; giving up');
    },

    /** Inserts many products, each with the events `eventsFor` builds for it (e.g. product.created for the demo catalog). */
    async insertMany(
      products: NewProduct[],
      now = new Date(),
      eventsFor: (doc: ProductDocument) => EventEnvelope[] = () => [],
    ): Promise<number> {
      if (products.length === 0) return 0;
      const docs = products.map((p, i) => {
        const doc: ProductDocument = {
          _id: new ObjectId(),
          ...p,
          nameKey: p.name.toLowerCase(),
          // Spread creation times so NEWEST has a meaningful order in demo data.
          createdAt: new Date(now.getTime() - i * 60_000),
          updatedAt: now,
        };
        return { ...doc, ...outboxFields(eventsFor(doc), now) };
      });
      const result = await collection.insertMany(docs);
      if (docs.some((d) => d.outboxDueAt))
        announceOutboxWrite(
          PRODUCTS,
          docs.filter((d) => d.outboxDueAt).map((d) => d._id),
        );
      return result.insertedCount;
    },
  };
}

export type ProductRepository = ReturnType<typeof createProductRepository>;
