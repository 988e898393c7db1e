import type { Db, IndexDescription } from 'mongodb';
import { PRODUCTS, createProductRepository, productIndexes } from './catalog/product.repository.js';
import { createProductService } from './catalog/product.service.js';
import { createStockHandler } from './stock/stock.handler.js';
import { ORDER_STOCK, createStockRepository, orderStockIndexes } from './stock/stock.repository.js';

/** Every index products needs, per collection, for `ensureIndexes` at start-up (and in the seed). */
export const productsIndexes: Record<string, IndexDescription[]> = {
  [PRODUCTS]: productIndexes,
  [ORDER_STOCK]: orderStockIndexes,
};

/**
 * The one place products builds its repositories and services: the app hands them to the server
 * (GraphQL) and to the stock consumer; the seed, tests and benches use what this built.
 */
export function createServices(db: Db) {
  const repositories = { products: createProductRepository(db), stock: createStockRepository(db) };
  return {
    indexes: productsIndexes,
    repositories,
    products: createProductService({ repository: repositories.products }),
    /** The order saga's commands to products (order.placed, order.cancelled, order.shipped). */
    handleStockEvent: createStockHandler({ stock: repositories.stock }),
  };
}

export type ProductsServices = ReturnType<typeof createServices>;
