import type { Db, IndexDescription } from 'mongodb';
import { CARTS, cartIndexes, createCartRepository } from './cart/cart.repository.js';
import { createCartService } from './cart/cart.service.js';
import { CATALOG, catalogIndexes, createCatalogRepository } from './catalog/catalog.repository.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { ORDERS, createOrderRepository, orderIndexes } from './orders/order.repository.js';
import { createOrderService } from './orders/order.service.js';
import type { PaymentProvider } from './orders/payment.js';

/** The indexes of every collection orders owns, by collection (ensured once at start). */
export const ordersIndexes: Record<string, IndexDescription[]> = {
  [ORDERS]: orderIndexes,
  [CARTS]: cartIndexes,
  [CATALOG]: catalogIndexes,
};

/**
 * The one place orders builds its repositories and services, once per app: the GraphQL server,
 * the event consumer, tests and benches all take what this returns.
 */
export function createOrdersServices(db: Db, { payment }: { payment: PaymentProvider }) {
  const repositories = {
    carts: createCartRepository(db),
    catalog: createCatalogRepository(db),
    orders: createOrderRepository(db),
  };
  const carts = createCartService({ carts: repositories.carts, catalog: repositories.catalog });
  const services = {
    carts,
    catalog: createCatalogService({ catalog: repositories.catalog }),
    orders: createOrderService({ orders: repositories.orders, carts, payment }),
  };
  return { repositories, services, indexes: ordersIndexes };
}

export type OrdersServices = ReturnType<typeof createOrdersServices>;
