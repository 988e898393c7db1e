import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@little-ecom/events';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { createCartService } from '../src/cart/cart.service.js';
import { ORDERS, type OrderDocument } from '../src/orders/order.repository.js';
import { DEFAULT_HOLDS, createOrderService } from '../src/orders/order.service.js';
import { invoicePaymentProvider } from '../src/orders/payment.js';
import { startOrders, type OrdersHarness } from './support.js';

/** Stock holds that cannot be abused: caps on what unpaid orders hold, and unpaid orders expire. */
let h: OrdersHarness;
let admin: string;
const lamp = new ObjectId().toHexString();
const HOURS = 60 * 60_000;

const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { items { quantity } } }`;
const CLEAR = `mutation { clearCart { items { quantity } } }`;
const CHECKOUT = `mutation($key: String!) { checkout(input: { idempotencyKey: $key, shippingAddress: {
  name: "Hal", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" } }) { id status } }`;
const PAID = `mutation($id: ID!) { markOrderPaid(id: $id) { id payment { status } } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { id status } }`;

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message;
const scope = () => createScope({ logger: silentLogger });

beforeAll(async () => {
  h = await startOrders({ ORDER_MAX_OPEN_UNPAID: '2', ORDER_MAX_HELD_UNITS: '5', ORDER_UNPAID_EXPIRY_HOURS: '48' });
  admin = await h.tokenFor('admin-1', 'ADMIN');
  const state = { name: 'Walnut Lamp', price: { amount: 4_900, currency: 'EUR' }, stock: 50, deleted: false };
  await h.app.services.repositories.catalog.apply(lamp, 1, state, state);
}, 30_000);

afterAll(async () => h?.close());

/** Checks `quantity` lamps out for `token`; the raw response. */
async function order(token: string, quantity: number) {
  await h.request(CLEAR, {}, token);
  await h.request(ADD, { p: lamp, q: quantity }, token);
  return h.request<{ checkout: { id: string } }>(CHECKOUT, { key: randomUUID() }, token);
}

/** What products' stock.reserved does: the order is CONFIRMED and its payment DUE. */
async function confirm(id: string) {
  const stored = await h.db.db.collection<OrderDocument>(ORDERS).findOne({ _id: id });
  await h.app.services.orders.confirm(scope(), id, stored!.items);
}

const stored = (id: string) => h.db.db.collection<OrderDocument>(ORDERS).findOne({ _id: id });

describe('caps on what unpaid orders hold', () => {
  it('refuses a third open unpaid order, and takes it once one is paid', async () => {
    const token = await h.tokenFor('hal');
    const first = (await order(token, 1)).data!.checkout.id;
    await order(token, 1);
    const refused = await order(token, 1);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(message(refused)).toBe('You have 2 unpaid orders; pay or cancel one before placing another');
    // Paid orders hold nothing unpaid any more.
    await confirm(first);
    expect((await h.request(PAID, { id: first }, admin)).data).toMatchObject({ markOrderPaid: { payment: { status: 'PAID' } } });
    expect((await order(token, 1)).errors).toBeUndefined();
  });

  it('refuses an order that would take the units held past the cap; a cancelled order frees its units', async () => {
    const token = await h.tokenFor('ida');
    const held = (await order(token, 4)).data!.checkout.id;
    const refused = await order(token, 2);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(message(refused)).toBe('Unpaid orders may hold at most 5 units; yours hold 4 and this cart has 2');
    expect((await order(token, 1)).errors).toBeUndefined();
    await h.request(CANCEL, { id: held }, token);
    expect((await order(token, 2)).errors).toBeUndefined();
  });

  it('lets two checkouts at once (different keys) not both pass the cap', async () => {
    const userId = 'jo';
    const token = await h.tokenFor(userId);
    await order(token, 1);
    await h.request(ADD, { p: lamp, q: 1 }, token);
    // Forced interleaving: each checkout's look at the open orders waits until both have got there
    // (or 500 ms): without the per-customer queue both count one open order and both place theirs.
    let arrived = 0;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    const repositories = h.app.services.repositories;
    const orders = {
      ...repositories.orders,
      async openUnpaid(id: string) {
        if (++arrived === 2) release();
        await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 500))]);
        return repositories.orders.openUnpaid(id);
      },
    };
    const carts = createCartService({ carts: repositories.carts, catalog: repositories.catalog });
    const racing = createOrderService({
      orders,
      carts,
      addresses: h.app.services.addresses,
      pricing: h.app.services.pricing,
      payment: invoicePaymentProvider,
      holds: { ...DEFAULT_HOLDS, maxOpenUnpaid: 2 },
    });
    const viewer = createScope({
      logger: silentLogger,
      auth: { viewer: { userId, role: 'CUSTOMER', tokenId: 't', sessionId: 's' }, authError: null },
    });
    const address = { name: 'Jo', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' };
    const both = await Promise.allSettled([
      racing.checkout(viewer, { idempotencyKey: randomUUID(), shippingAddress: address }),
      racing.checkout(viewer, { idempotencyKey: randomUUID(), shippingAddress: address }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected');
    expect(String(refused?.reason)).toMatch(/You have 2 unpaid orders/);
    expect(await h.db.db.collection(ORDERS).countDocuments({ userId })).toBe(2);
  });
});

describe('unpaid orders expire', () => {
  it('cancels a confirmed order still unpaid after ORDER_UNPAID_EXPIRY_HOURS, with an order.cancelled that releases it', async () => {
    const token = await h.tokenFor('kim');
    const id = (await order(token, 2)).data!.checkout.id;
    await confirm(id);
    const confirmed = await stored(id);
    // The deadline is in the order, not in a timer: a restarted replica finds it.
    expect(confirmed!.payBy!.getTime() - confirmed!.updatedAt.getTime()).toBeGreaterThanOrEqual(48 * HOURS - 1_000);
    const expire = (afterHours: number) => h.app.services.orders.expireUnpaid(scope(), new Date(Date.now() + afterHours * HOURS));
    expect(await expire(47)).toEqual({ expired: 0 });
    expect(await expire(49)).toEqual({ expired: 1 });
    const after = await stored(id);
    expect(after).toMatchObject({ status: 'CANCELLED', payment: { status: 'NOT_DUE' } });
    expect(after!.statusHistory.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment not received in time' });
    const cancelled = (after!.outbox as EventEnvelope[]).find((e) => e.type === 'order.cancelled');
    expect(cancelled?.data).toMatchObject({
      orderId: id,
      previousStatus: 'CONFIRMED',
      reason: 'PAYMENT_EXPIRED',
      items: [{ productId: lamp, quantity: 2 }],
    });
    expect(await expire(100)).toEqual({ expired: 0 });
    // It no longer counts against the caps.
    expect((await order(token, 5)).errors).toBeUndefined();
  });

  it('never expires a paid order: payment and expiry at the same moment, one wins, consistently', async () => {
    for (let round = 0; round < 5; round++) {
      const token = await h.tokenFor(`lee-${round}`);
      const id = (await order(token, 1)).data!.checkout.id;
      await confirm(id);
      const [paid, expired] = await Promise.all([
        h.request(PAID, { id }, admin),
        h.app.services.orders.expireUnpaid(scope(), new Date(Date.now() + 49 * HOURS)),
      ]);
      const after = await stored(id);
      if (after!.status === 'CANCELLED') {
        expect(code(paid)).toBe('CONFLICT');
        expect(after!.payment.status).toBe('NOT_DUE');
      } else {
        expect(paid.errors).toBeUndefined();
        expect(after).toMatchObject({ status: 'CONFIRMED', payment: { status: 'PAID' } });
        expect(expired.expired).toBe(0);
      }
    }
  });
});
