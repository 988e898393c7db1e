import { PoisonMessageError, type EventEnvelope, type MoneyData } from '@little-ecom/events';
import type { CatalogRepository } from './catalog.repository.js';

/** product.* events kept as orders' own view of the catalog. */
export const CATALOG_BINDINGS = ['product.created', 'product.updated', 'product.deleted'];

const str = (data: Record<string, unknown>, key: string): string => {
  const value = data[key];
  if (typeof value !== 'string' || value.length === 0) throw new PoisonMessageError(`data.${key} must be a non-empty string`);
  return value;
};
const money = (value: unknown, what: string): MoneyData => {
  const m = value as Partial<MoneyData> | null;
  if (!m || typeof m !== 'object' || typeof m.currency !== 'string' || !Number.isInteger(m.amount))
    throw new PoisonMessageError(`${what} must be money`);
  return { amount: m.amount!, currency: m.currency };
};
const int = (value: unknown, what: string): number => {
  if (!Number.isInteger(value)) throw new PoisonMessageError(`${what} must be an integer`);
  return value as number;
};

/** Keeps the catalog projection in step with products; idempotent (the newest event wins). */
export function createCatalogHandler(deps: { catalog: CatalogRepository }) {
  return async (event: EventEnvelope): Promise<void> => {
    const d = event.data;
    const asOf = new Date(event.occurredAt);
    if (event.type === 'product.created') {
      const state = {
        name: str(d, 'name'),
        price: money(d['price'], 'data.price'),
        stock: int(d['stock'], 'data.stock'),
        deleted: false,
      };
      await deps.catalog.apply(str(d, 'productId'), asOf, state, state);
    } else if (event.type === 'product.updated') {
      const price = d['price'] as { after?: unknown } | undefined;
      const stock = d['stock'] as { after?: unknown } | undefined;
      await deps.catalog.apply(str(d, 'productId'), asOf, {
        name: str(d, 'name'),
        price: money(price?.after, 'data.price.after'),
        stock: int(stock?.after, 'data.stock.after'),
      });
    } else if (event.type === 'product.deleted') {
      // A tombstone even for a product never seen, so a late product.created cannot bring it back.
      const tombstone = { name: str(d, 'name'), price: { amount: 0, currency: 'XXX' }, stock: 0, deleted: true };
      await deps.catalog.apply(str(d, 'productId'), asOf, { deleted: true }, tombstone);
    }
  };
}
