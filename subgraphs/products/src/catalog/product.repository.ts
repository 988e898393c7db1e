import { ObjectId, type Db, type Filter, type IndexDescription, type Sort } from 'mongodb';

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
}

export type NewProduct = Omit<ProductDocument, '_id' | 'nameKey' | 'createdAt' | 'updatedAt'>;
export type ProductChanges = Partial<NewProduct>;

export const PRODUCTS = 'products';

export const productIndexes: IndexDescription[] = [
  { key: { slug: 1 }, name: 'slug_unique', unique: true },
  { key: { createdAt: -1, _id: -1 }, name: 'newest' },
  { key: { 'price.amount': 1, _id: 1 }, name: 'price' },
  { key: { nameKey: 1, _id: 1 }, name: 'name' },
  { key: { category: 1 }, name: 'category' },
];

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
    findById: (id: ObjectId) => collection.findOne({ _id: id }),

    findBySlug: (slug: string) => collection.findOne({ slug }),

    /** One query for the whole batch, whatever its size. */
    findByIds: (ids: ObjectId[]) => collection.find({ _id: { $in: ids } }).toArray(),

    list: ({ filter, after, sort, limit }: ListQuery) =>
      collection
        .find(after ? { $and: [filter, after] } : filter)
        .sort(sort)
        .limit(limit)
        .toArray(),

    count: (filter: Filter<ProductDocument>) => collection.countDocuments(filter),

    async insert(product: NewProduct, now = new Date()): Promise<ProductDocument> {
      const doc: ProductDocument = { _id: new ObjectId(), ...product, nameKey: product.name.toLowerCase(), createdAt: now, updatedAt: now };
      await collection.insertOne(doc);
      return doc;
    },

    /** Applies `changes` atomically and returns the document after the change, or null if missing. */
    update: (id: ObjectId, changes: ProductChanges, now = new Date()) =>
      collection.findOneAndUpdate(
        { _id: id },
        { $set: { ...changes, ...(changes.name !== undefined ? { nameKey: changes.name.toLowerCase() } : {}), updatedAt: now } },
        { returnDocument: 'after' },
      ),

    async delete(id: ObjectId): Promise<boolean> {
      const result = await collection.deleteOne({ _id: id });
      return result.deletedCount === 1;
    },

    async insertMany(products: NewProduct[], now = new Date()): Promise<number> {
      if (products.length === 0) return 0;
      const docs = products.map((p, i) => ({
        _id: new ObjectId(),
        ...p,
        nameKey: p.name.toLowerCase(),
        // Spread creation times so NEWEST has a meaningful order in demo data.
        createdAt: new Date(now.getTime() - i * 60_000),
        updatedAt: now,
      }));
      const result = await collection.insertMany(docs);
      return result.insertedCount;
    },
  };
}

export type ProductRepository = ReturnType<typeof createProductRepository>;
