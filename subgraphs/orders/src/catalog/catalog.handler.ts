import type { CheckedEvent } from '@little-ecom/events';
import type { CatalogRepository } from './catalog.repository.js';

/** product.* events kept as orders' own view of the catalog. */
export const CATALOG_BINDINGS = ['product.created', 'product.updated', 'product.deleted'];

/** Keeps the catalog projection in step with products; idempotent (the highest aggregateVersion wins). Data is checked by the consumer. */
export function createCatalogHandler(deps: { catalog: CatalogRepository }) {
  return async (event: CheckedEvent): Promise<void> => {
    if (event.type === 'product.created') {
      const d = event.data;
      const state = { name: d.name, price: { ...d.price }, stock: d.stock, deleted: false };
      await deps.catalog.apply(d.productId, d.aggregateVersion, state, state);
    } else if (event.type === 'product.updated') {
      const d = event.data;
      await deps.catalog.apply(d.productId, d.aggregateVersion, {
        name: d.name,
        price: { ...d.price.after },
        stock: d.stock.after,
      });
    } else if (event.type === 'product.deleted') {
      const d = event.data;
      // A tombstone even for a product never seen, so a late product.created cannot bring it back.
      const tombstone = { name: d.name, price: { amount: 0, currency: 'XXX' }, stock: 0, deleted: true };
      await deps.catalog.apply(d.productId, d.aggregateVersion, { deleted: true }, tombstone);
    }
  };
}
