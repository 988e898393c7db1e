import type { Db, IndexDescription } from 'mongodb';
import { ADDRESS_BOOKS, addressBookIndexes, createAddressBookRepository } from './addresses/address-book.repository.js';
import { createAddressBookService } from './addresses/address-book.service.js';
import { CARTS, cartIndexes, createCartRepository } from './cart/cart.repository.js';
import { createCartService } from './cart/cart.service.js';
import { CATALOG, catalogIndexes, createCatalogRepository } from './catalog/catalog.repository.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { createEventHandler } from './events/event.handler.js';
import { ORDERS, createOrderRepository, orderIndexes } from './orders/order.repository.js';
import { createOrderService, type HoldSettings } from './orders/order.service.js';
import type { PaymentProvider } from './orders/payment.js';
import { createPricing, type PricingSettings } from './pricing/pricing.js';
import { DEFAULT_PRICING } from './pricing/rates.js';

/** Every index orders needs, per collection, for `ensureIndexes` at start-up. */
export const ordersIndexes: Record<string, IndexDescription[]> = {
  [ORDERS]: orderIndexes,
  [CARTS]: cartIndexes,
  [CATALOG]: catalogIndexes,
  [ADDRESS_BOOKS]: addressBookIndexes,
};

/**
 * The one place orders builds its repositories and services: the app hands them to the server
 * (GraphQL) and to the event consumer; tests and benches use what this built.
 */
export function createServices(
  db: Db,
  {
    payment,
    holds,
    pricing: pricingSettings = DEFAULT_PRICING,
  }: { payment: PaymentProvider; holds?: HoldSettings; pricing?: PricingSettings },
) {
  const repositories = {
    carts: createCartRepository(db),
    catalog: createCatalogRepository(db),
    orders: createOrderRepository(db),
    addressBooks: createAddressBookRepository(db),
  };
  const addresses = createAddressBookService({ books: repositories.addressBooks });
  const pricing = createPricing(pricingSettings);
  const carts = createCartService({ carts: repositories.carts, catalog: repositories.catalog });
  const orders = createOrderService({
    orders: repositories.orders,
    carts,
    addresses,
    pricing,
    payment,
    ...(holds ? { holds } : {}),
  });
  const catalog = createCatalogService({ catalog: repositories.catalog });
  return {
    indexes: ordersIndexes,
    repositories,
    addresses,
    pricing,
    carts,
    orders,
    catalog,
    /** stock.* answers to the saga and the product.* events of the catalog view, by routing key. */
    handleEvent: createEventHandler({ orders, catalog }),
  };
}

export type OrdersServices = ReturnType<typeof createServices>;
