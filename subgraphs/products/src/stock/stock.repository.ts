import type { Db, IndexDescription } from 'mongodb';
import { ObjectId } from 'mongodb';
import type { RetentionRule } from '@little-ecom/coordination';
import {
  OUTBOX_DUE_FIELD,
  announceOutboxWrite,
  outboxAppend,
  outboxIndex,
  type EventEnvelope,
  type StockLineData,
} from '@little-ecom/events';
import { documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';
import { PRODUCTS, type ProductDocument, type StockReservation } from '../catalog/product.repository.js';

export type ReservationState = 'RESERVING' | 'RESERVED' | 'REJECTED' | 'CANCELLED' | 'SHIPPED';

/**
 * The saga's memory on the products side, one document per order (`_id` = order id): which lines it
 * asked for, how far it got, and the stock.* event it produced (outbox). The order id as `_id` makes
 * every redelivery of an order event land on the same document.
 */
export interface OrderStockDocument {
  _id: string;
  state: ReservationState;
  lines: StockLineData[];
  /** Bumped by every state change; travels as `aggregateVersion` in stock.* events. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  outbox?: EventEnvelope[];
  outboxDueAt?: Date;
}

export const ORDER_STOCK = 'order_stock';
export const orderStockIndexes: IndexDescription[] = [outboxIndex];

/**
 * What the retention sweep deletes: orders that are over (rejected, cancelled, shipped: they hold no
 * stock), whose events are all published, untouched for `ageMs`. A RESERVED order is never deleted.
 */
export const orderStockRetention = (ageMs: number): RetentionRule => ({
  collection: ORDER_STOCK,
  expired: (now) => ({
    state: { $in: ['REJECTED', 'CANCELLED', 'SHIPPED'] },
    [OUTBOX_DUE_FIELD]: { $exists: false },
    updatedAt: { $lt: new Date(now.getTime() - ageMs) },
  }),
});

/** Builds the product.updated event of a stock change from the product before and after it (at its new version). */
export type StockEvent = (before: ProductDocument, after: ProductDocument) => EventEnvelope;

export type LineOutcome =
  { ok: true; reservation: StockReservation } | { ok: false; reason: 'INSUFFICIENT_STOCK' | 'PRODUCT_UNAVAILABLE' };

// Re-reads after another replica's write; within one process, writes to a product are queued (serializedWrite).
const MAX_ATTEMPTS = 20;

const parseId = (id: string) => (/^[0-9a-fA-F]{24}$/.test(id) ? new ObjectId(id) : null);

/**
 * Stock changes for orders. FerretDB v1 has no transactions, so each step is one conditional update of
 * one document: a product's available `stock` and its `reservations` change together, guarded by the
 * values just read (stock and updatedAt), and only ever for an order that holds no reservation yet
 * (reserve) or holds one (release, commit). Repeating a step is therefore harmless.
 */
export function createStockRepository(db: Db) {
  const products = db.collection<ProductDocument>(PRODUCTS);
  const orders = db.collection<OrderStockDocument>(ORDER_STOCK);

  /** Runs a read-modify-write of one product behind this process's other writes to it; retried on a lost race. */
  async function changeProduct<T>(
    id: ObjectId,
    step: (doc: ProductDocument | null) => { result: T; update?: Record<string, unknown> },
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await serializedWrite(documentKey(PRODUCTS, id), async () => {
        const doc = await products.findOne({ _id: id });
        const { result, update } = step(doc);
        if (!update || !doc) return { done: true, result };
        // Guarded by the version too: the product's own updates check only it, and a stock change is one of them.
        const version = doc.version === undefined ? { version: { $exists: false } } : { version: doc.version };
        const written = await products.updateOne({ _id: id, stock: doc.stock, updatedAt: doc.updatedAt, ...version }, update);
        return { done: written.matchedCount === 1, result };
      });
      if (outcome.done) {
        announceOutboxWrite(PRODUCTS, [id]);
        return outcome.result;
      }
    }
    throw new Error('product kept changing during a stock change; giving up (the event is retried)');
  }

  const reservationsOf = (doc: ProductDocument) => doc.reservations ?? [];
  // A stock change emits product.updated, so it is a new version of the product like any admin edit.
  const nextVersion = (doc: ProductDocument) => (doc.version ?? 1) + 1;

  return {
    /**
     * Takes `quantity` units of the product for the order unless it already holds them; never below
     * zero. `stockEvent` builds the product.updated event written with the change.
     */
    reserveLine(orderId: string, line: StockLineData, stockEvent: StockEvent, now = new Date()): Promise<LineOutcome> {
      const id = parseId(line.productId);
      if (!id) return Promise.resolve({ ok: false, reason: 'PRODUCT_UNAVAILABLE' });
      return changeProduct<LineOutcome>(id, (doc) => {
        const held = doc && reservationsOf(doc).find((r) => r.orderId === orderId);
        if (held) return { result: { ok: true, reservation: held } };
        if (!doc || doc.deletedAt) return { result: { ok: false, reason: 'PRODUCT_UNAVAILABLE' } };
        if (doc.stock < line.quantity) return { result: { ok: false, reason: 'INSUFFICIENT_STOCK' } };
        const reservation: StockReservation = {
          orderId,
          quantity: line.quantity,
          unitPrice: { ...doc.price },
          name: doc.name,
          at: now,
        };
        const changes = {
          stock: doc.stock - line.quantity,
          reservations: [...reservationsOf(doc), reservation],
          updatedAt: now,
          version: nextVersion(doc),
        };
        return {
          result: { ok: true, reservation },
          update: { $set: changes, ...outboxAppend(stockEvent(doc, { ...doc, ...changes }), now) },
        };
      });
    },

    /** Gives the order's units of the product back to available stock; false when it held none (already released). */
    releaseLine(orderId: string, productId: string, stockEvent: StockEvent, now = new Date()): Promise<boolean> {
      const id = parseId(productId);
      if (!id) return Promise.resolve(false);
      return changeProduct(id, (doc) => {
        const held = doc && reservationsOf(doc).find((r) => r.orderId === orderId);
        if (!doc || !held) return { result: false };
        const reservations = reservationsOf(doc).filter((r) => r.orderId !== orderId);
        // A deleted product's units have nowhere to go back to; dropping the reservation is enough.
        if (doc.deletedAt) return { result: true, update: { $set: { reservations, updatedAt: now } } };
        const changes = { stock: doc.stock + held.quantity, reservations, updatedAt: now, version: nextVersion(doc) };
        return {
          result: true,
          update: { $set: changes, ...outboxAppend(stockEvent(doc, { ...doc, ...changes }), now) },
        };
      });
    },

    /** The order shipped: its units leave the warehouse for good (available stock is unchanged). */
    commitLine(orderId: string, productId: string, now = new Date()): Promise<boolean> {
      const id = parseId(productId);
      if (!id) return Promise.resolve(false);
      return changeProduct(id, (doc) => {
        if (!doc || !reservationsOf(doc).some((r) => r.orderId === orderId)) return { result: false };
        return {
          result: true,
          update: { $set: { reservations: reservationsOf(doc).filter((r) => r.orderId !== orderId), updatedAt: now } },
        };
      });
    },

    findOrder: (orderId: string) => orders.findOne({ _id: orderId }),

    /** Records that the order's lines are being reserved, unless the order is known already. Returns its document. */
    async startOrder(orderId: string, lines: StockLineData[], initial: ReservationState, now = new Date()) {
      try {
        await orders.insertOne({ _id: orderId, state: initial, lines, version: 0, createdAt: now, updatedAt: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const doc = await orders.findOne({ _id: orderId });
      if (!doc) throw new Error(`order_stock ${orderId} vanished`);
      return doc;
    },

    /**
     * Moves the order from `from` to `to` (and writes `eventFor`'s event with it), only if it is still
     * in `from`: a lost race (e.g. a cancel overtook the reservation) returns false.
     */
    async transition(
      orderId: string,
      from: ReservationState,
      to: ReservationState,
      eventFor?: (version: number) => EventEnvelope,
      now = new Date(),
    ): Promise<boolean> {
      return serializedWrite(documentKey(ORDER_STOCK, orderId), async () => {
        const doc = await orders.findOne({ _id: orderId, state: from });
        if (!doc) return false;
        const version = doc.version + 1;
        const result = await orders.updateOne(
          { _id: orderId, state: from, version: doc.version },
          {
            $set: { state: to, version, updatedAt: now },
            ...(eventFor ? outboxAppend(eventFor(version), now) : {}),
          },
        );
        if (result.matchedCount === 1 && eventFor) announceOutboxWrite(ORDER_STOCK, [orderId]);
        return result.matchedCount === 1;
      });
    },
  };
}

export type StockRepository = ReturnType<typeof createStockRepository>;
