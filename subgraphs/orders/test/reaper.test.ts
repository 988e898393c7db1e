import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { orderPlaced } from '../src/orders/order.events.js';
import { ORDERS, newOrderId, type OrderDocument } from '../src/orders/order.repository.js';
import { startOrders, type OrdersHarness } from './support.js';

// Issue 20, item 3: an order whose order.placed was lost (dead-lettered, unrouted) stayed PENDING
// forever. The reaper sends it again, then rejects the order (products releases what it holds).
let api: OrdersHarness;
beforeAll(async () => {
  api = await startOrders();
});
afterAll(async () => api?.close());

const minutes = (n: number, from: Date) => new Date(from.getTime() + n * 60_000);

describe('the pending-order reaper', () => {
  it('re-publishes a lost order.placed, then rejects the order as TIMED_OUT with an order.rejected', async () => {
    const now = new Date();
    const order: Omit<OrderDocument, 'outbox'> = {
      _id: newOrderId(),
      userId: randomUUID(),
      idempotencyKey: randomUUID(),
      items: [{ productId: randomUUID(), name: 'Lamp', unitPrice: { amount: 100, currency: 'EUR' }, quantity: 1 }],
      total: { amount: 100, currency: 'EUR' },
      status: 'PENDING',
      shippingAddress: { name: 'A', line1: 'Street 1', line2: null, postalCode: '1000', city: 'Town', country: 'BE' },
      statusHistory: [{ status: 'PENDING', at: now }],
      payment: { method: 'INVOICE', status: 'NOT_DUE' } as OrderDocument['payment'],
      version: 1,
      createdAt: now,
      updatedAt: now,
      reapAt: minutes(2, now),
      reapAttempts: 0,
    };
    const scope = createScope({ logger: silentLogger });
    await api.app.services.repositories.orders.insert(order, orderPlaced(scope, order));
    // The relay published it and the broker lost it: the outbox is empty, nobody answers.
    const col = api.db.db.collection<OrderDocument>(ORDERS);
    await col.updateOne({ _id: order._id }, { $unset: { outbox: '', outboxDueAt: '' } });
    const outboxTypes = async () => ((await col.findOne({ _id: order._id }))?.outbox ?? []).map((e) => e.type);

    const reap = (at: Date) => api.app.services.orders.reapPending(scope, at);
    expect(await reap(minutes(1, now))).toEqual({ republished: 0, rejected: 0 }); // not due yet
    expect(await reap(minutes(3, now))).toEqual({ republished: 1, rejected: 0 });
    expect(await outboxTypes()).toEqual(['order.placed']);
    expect(await reap(minutes(6, now))).toEqual({ republished: 1, rejected: 0 });
    expect(await reap(minutes(9, now))).toEqual({ republished: 0, rejected: 1 });
    const after = await col.findOne({ _id: order._id });
    expect(after).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMED_OUT', reapAttempts: 2 });
    expect(after!.outbox!.map((e) => [e.type, e.data['reason']])).toEqual([
      ['order.placed', undefined],
      ['order.placed', undefined],
      ['order.rejected', 'TIMED_OUT'],
    ]);
    expect(await reap(minutes(60, now))).toEqual({ republished: 0, rejected: 0 });
  });
});
