import type { EventData } from '@little-ecom/events';
import type { CatalogRepository } from './catalog.repository.js';

/**
 * Keeps orders' view of the catalog in step with products' events; idempotent (the highest
 * aggregateVersion wins, see the repository). The data was checked against its contract by the consumer.
 */
export function createCatalogService({ catalog }: { catalog: CatalogRepository }) {
  return {
    async productCreated(d: EventData<'product.created'>): Promise<void> {
      const state = { name: d.name, price: { ...d.price }, stock: d.stock, deleted: false };
      await catalog.apply(d.productId, d.aggregateVersion, state, state);
    },

    async productUpdated(d: EventData<'product.updated'>): Promise<void> {
      await catalog.apply(d.productId, d.aggregateVersion, { name: d.name, price: { ...d.price.after }, stock: d.stock.after });
    },

    async productDeleted(d: EventData<'product.deleted'>): Promise<void> {
      // A tombstone even for a product never seen, so a late product.created cannot bring it back.
      const tombstone = { name: d.name, price: { amount: 0, currency: 'XXX' }, stock: 0, deleted: true };
      await catalog.apply(d.productId, d.aggregateVersion, { deleted: true }, tombstone);
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
