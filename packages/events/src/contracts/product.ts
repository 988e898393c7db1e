import { z } from 'zod';
import { aggregateVersion, id, money, nonEmpty } from './common.js';

/** What consumers learn about a product when it is created. */
const productSnapshot = z.object({
  productId: id,
  slug: nonEmpty,
  name: nonEmpty,
  description: z.string(),
  price: money,
  stock: z.number().int(),
  category: z.string(),
  imageUrls: z.array(z.string()),
  aggregateVersion,
});

/**
 * Why the stock changed: an order's reservation or its release (saga steps and compensations, not
 * news for shoppers), a restock or another admin edit. Added in contract version 2 of
 * product.updated; optional, so events of older producers still parse (consumers treat a missing
 * cause as an admin edit).
 */
export const STOCK_CHANGE_CAUSES = ['reservation', 'release', 'restock', 'admin'] as const;
export type StockChangeCause = (typeof STOCK_CHANGE_CAUSES)[number];

/** Before/after of price and stock let consumers see price drops and restocks without state of their own. */
const productUpdated = z.object({
  productId: id,
  slug: nonEmpty,
  name: nonEmpty,
  price: z.object({ before: money, after: money }),
  stock: z.object({ before: z.number().int(), after: z.number().int() }),
  /** Names of the fields the update changed. */
  changed: z.array(z.string()),
  /** Set when `stock` changed (v2). */
  stockChangeCause: z.enum(STOCK_CHANGE_CAUSES).optional(),
  aggregateVersion,
});

const productDeleted = z.object({ productId: id, slug: nonEmpty, name: nonEmpty, aggregateVersion });

/** The `product.*` events products publishes; the aggregate is the product (`productId`). */
export const productEvents = {
  'product.created': productSnapshot,
  'product.updated': productUpdated,
  'product.deleted': productDeleted,
} as const;

export type ProductSnapshot = z.output<typeof productSnapshot>;
export type ProductCreatedData = ProductSnapshot;
export type ProductUpdatedData = z.output<typeof productUpdated>;
export type ProductDeletedData = z.output<typeof productDeleted>;
