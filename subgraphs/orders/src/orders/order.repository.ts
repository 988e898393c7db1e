import { randomBytes } from 'node:crypto';
import type { Db, Filter, IndexDescription } from 'mongodb';
import {
  announceOutboxWrite,
  outboxAppend,
  outboxFields,
  outboxIndex,
  type AddressData,
  type EventEnvelope,
  type MoneyData,
} from '@little-ecom/events';
import { documentKey, serializedWrite } from '@little-ecom/mongo';
import type { ShippingOption } from '../pricing/pricing.js';
import type { PaymentState } from './payment.js';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'SHIPPED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItemDocument {
  productId: string;
  /** Snapshot of the product name (at checkout; replaced by the reserved one on confirmation). */
  name: string;
  unitPrice: MoneyData;
  quantity: number;
}

export interface StatusChange {
  status: OrderStatus;
  at: Date;
  reason?: string;
}

/** An order as stored in the `orders` collection. */
export interface OrderDocument {
  /** 128 random bits, base64url: not guessable, not sequential. */
  _id: string;
  userId: string;
  /** Unique per user: the same key returns the same order. */
  idempotencyKey: string;
  items: OrderItemDocument[];
  total: MoneyData;
  status: OrderStatus;
  rejectionReason?: string;
  shippingAddress: AddressData;
  statusHistory: StatusChange[];
  payment: PaymentState;
  /** The aggregate version: bumped by every change, sent as `version` in order.* events. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  outbox?: EventEnvelope[];
  outboxDueAt?: Date;
  /** While PENDING: when the reaper looks at the order again (a timer kept in the document, so it survives restarts). */
  reapAt?: Date;
  /** Times the reaper re-published order.placed. */
  reapAttempts?: number;
  /** While CONFIRMED and unpaid: when the order is cancelled for want of payment (kept in the document, so it survives restarts). */
  payBy?: Date;
  /** The goods' sum; `total` adds shipping (and tax when prices exclude it). Absent in orders placed before shipping was charged. */
  subtotal?: MoneyData;
  /** The method chosen at checkout, with the price charged for it. */
  shipping?: ShippingOption;
  tax?: MoneyData;
  /** Percent, the destination's at checkout. */
  taxRate?: number;
  taxIncluded?: boolean;
}

export const ORDERS = 'orders';

export const orderIndexes: IndexDescription[] = [
  { key: { userId: 1, idempotencyKey: 1 }, name: 'idempotency_unique', unique: true },
  { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'by_user_newest' },
  { key: { createdAt: -1, _id: -1 }, name: 'newest' },
  { key: { status: 1 }, name: 'status' },
  { key: { status: 1, reapAt: 1 }, name: 'pending_due' },
  { key: { status: 1, payBy: 1 }, name: 'unpaid_due' },
  outboxIndex,
];

export const newOrderId = () => randomBytes(16).toString('base64url');

export interface OrderPageQuery {
  filter: Filter<OrderDocument>;
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** A change of one order: the fields to set and the event to write with them. */
export interface OrderChange {
  set: Partial<Omit<OrderDocument, '_id' | 'outbox' | 'version'>>;
  history?: StatusChange;
  event?: (version: number) => EventEnvelope;
}

/** MongoDB access for orders; no business rules here. */
export function createOrderRepository(db: Db) {
  const collection = db.collection<OrderDocument>(ORDERS);

  return {
    findById: (id: string) => collection.findOne({ _id: id }),

    /** The orders with these ids, in one query (in no particular order; unknown ids are missing). */
    findByIds: (ids: readonly string[]) => collection.find({ _id: { $in: [...ids] } }).toArray(),

    findByIdempotencyKey: (userId: string, idempotencyKey: string) => collection.findOne({ userId, idempotencyKey }),

    /** Inserts the order with its order.placed event: one write. Throws the duplicate-key error on a reused key. */
    async insert(order: Omit<OrderDocument, 'outbox'>, event: EventEnvelope): Promise<OrderDocument> {
      await collection.insertOne({ ...order, ...outboxFields([event], order.createdAt) });
      announceOutboxWrite(ORDERS, [order._id]);
      return order;
    },

    async page({ filter, after, limit }: OrderPageQuery): Promise<OrderDocument[]> {
      const cursorFilter: Filter<OrderDocument> = after
        ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }] }
        : {};
      return collection
        .find({ $and: [filter, cursorFilter] })
        .sort({ createdAt: -1, _id: -1 })
        .limit(limit)
        .toArray();
    },

    count: (filter: Filter<OrderDocument>) => collection.countDocuments(filter),

    /** CONFIRMED orders still due for payment past their `payBy`, oldest first, at most `limit`. */
    dueUnpaid: (now: Date, limit: number) =>
      collection
        .find({ status: 'CONFIRMED', 'payment.status': 'DUE', payBy: { $lte: now } })
        .sort({ payBy: 1 })
        .limit(limit)
        .toArray(),

    /** The customer's orders that hold stock without being paid: PENDING, or CONFIRMED and not paid. */
    openUnpaid: (userId: string) =>
      collection
        .find(
          { userId, $or: [{ status: 'PENDING' }, { status: 'CONFIRMED', 'payment.status': { $ne: 'PAID' } }] },
          { projection: { _id: 1, 'items.quantity': 1 } },
        )
        .toArray(),

    /** PENDING orders whose reaper timer is due, oldest first, at most `limit`. */
    duePending: (now: Date, limit: number) =>
      collection
        .find({ status: 'PENDING', reapAt: { $lte: now } })
        .sort({ reapAt: 1 })
        .limit(limit)
        .toArray(),

    /**
     * Applies `decide(current)` if the order is in one of `from`, as one update guarded by the version
     * read, with its event in the same write. Returns the order after the change, or `{ current }`
     * when it was not in `from` (nothing written).
     */
    async transition(
      id: string,
      from: readonly OrderStatus[],
      decide: (current: OrderDocument) => OrderChange,
      now = new Date(),
    ): Promise<{ changed: OrderDocument } | { current: OrderDocument | null }> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const outcome = await serializedWrite(documentKey(ORDERS, id), async () => {
          const current = await collection.findOne({ _id: id });
          if (!current || !from.includes(current.status)) return { current };
          const { outbox: _pending, outboxDueAt: _due, ...state } = current;
          const change = decide(current);
          const version = current.version + 1;
          const history = change.history ? [...state.statusHistory, change.history] : state.statusHistory;
          const set = { ...change.set, statusHistory: history, version, updatedAt: now };
          const result = await collection.updateOne(
            { _id: id, version: current.version },
            { $set: set, ...(change.event ? outboxAppend(change.event(version), now) : {}) },
          );
          if (result.matchedCount !== 1) return null;
          if (change.event) announceOutboxWrite(ORDERS, [id]);
          return { changed: { ...state, ...set } };
        });
        if (outcome) return outcome;
      }
      throw new Error('order kept changing; giving up');
    },
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
