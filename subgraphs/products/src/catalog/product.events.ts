import { buildEvent, type EventData, type EventType, type ProductSnapshot, type StockChangeCause } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import type { ProductDocument } from './product.repository.js';

/** What an event needs from the scope that causes it; the seed, which has no request, passes its own. */
export type EventScope = Pick<Scope, 'correlationId'>;

/** Every event products produces goes through here: one source, the cause's correlation id. */
export const productsEvent = <T extends EventType>(scope: EventScope, type: T, data: EventData<T>) =>
  buildEvent(type, data, { source: 'products', correlationId: scope.correlationId });

/** What consumers learn about a product in its events. */
export function snapshot(doc: ProductDocument): ProductSnapshot {
  return {
    productId: doc._id.toHexString(),
    slug: doc.slug,
    name: doc.name,
    description: doc.description,
    price: { amount: doc.price.amount, currency: doc.price.currency },
    stock: doc.stock,
    category: doc.category,
    imageUrls: [...doc.imageUrls],
    aggregateVersion: doc.version ?? 1,
  };
}

export const productCreated = (scope: EventScope, doc: ProductDocument) => productsEvent(scope, 'product.created', snapshot(doc));

/** An admin edit with a stock change: a restock when it adds units, another edit otherwise. */
export const adminStockCause = (before: ProductDocument, after: ProductDocument): StockChangeCause =>
  after.stock > before.stock ? 'restock' : 'admin';

/**
 * An admin edit or a stock change of an order: before and after, the fields that changed and, when
 * the stock did, why (consumers tell a shopper-worthy restock from a saga's reservation or release).
 */
export const productUpdated = (
  scope: EventScope,
  before: ProductDocument,
  after: ProductDocument,
  changed: string[],
  stockChangeCause?: StockChangeCause,
) =>
  productsEvent(scope, 'product.updated', {
    productId: after._id.toHexString(),
    slug: after.slug,
    name: after.name,
    price: { before: { ...before.price }, after: { ...after.price } },
    stock: { before: before.stock, after: after.stock },
    changed,
    ...(changed.includes('stock') ? { stockChangeCause: stockChangeCause ?? adminStockCause(before, after) } : {}),
    aggregateVersion: after.version ?? 1,
  });

export const productDeleted = (scope: EventScope, before: ProductDocument, version: number) =>
  productsEvent(scope, 'product.deleted', {
    productId: before._id.toHexString(),
    slug: before.slug,
    name: before.name,
    aggregateVersion: version,
  });
