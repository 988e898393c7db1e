import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGatewayKeyPair } from '@little-ecom/auth';
import type { EventEnvelope } from '@little-ecom/events';
import { graphqlRequest, signedAsGateway } from '@little-ecom/testing';
import { startOrders, type OrdersHarness } from './support.js';

/** The orders API against real MongoDB, without a broker: carts, checkout, visibility, the outbox. */
let h: OrdersHarness;
let alice: string;
let bob: string;
let admin: string;
const lamp = new ObjectId().toHexString();
const gone = new ObjectId().toHexString();

const CART = `fragment C on Cart { items { product { id } quantity unitPrice { amount currency } } subtotal { amount currency } }`;
const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { ...C } } ${CART}`;
const UPDATE = `mutation($p: ID!, $q: Int!) { updateCartItem(productId: $p, quantity: $q) { ...C } } ${CART}`;
const REMOVE = `mutation($p: ID!) { removeFromCart(productId: $p) { ...C } } ${CART}`;
const CLEAR = `mutation { clearCart { ...C } } ${CART}`;
const CART_OF = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { cart { ...C } } } } ${CART}`;
const ORDER = `fragment O on Order { id status total { amount currency } subtotal { amount } shipping { amount } tax { amount }
  taxRate taxIncluded shippingMethod { id deliveryEstimate } items { product { id } name unitPrice { amount } quantity }
  statusHistory { status reason } payment { method status } shippingAddress { country } }`;
const CHECKOUT = `mutation($key: String!) { checkout(input: { idempotencyKey: $key, shippingAddress: {
  name: "Alice", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "de" } }) { ...O } } ${ORDER}`;
const GET = `query($id: ID!) { order(id: $id) { ...O } } ${ORDER}`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { ...O } } ${ORDER}`;

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];

beforeAll(async () => {
  h = await startOrders();
  [alice, bob, admin] = await Promise.all([h.tokenFor('alice'), h.tokenFor('bob'), h.tokenFor('admin-1', 'ADMIN')]);
  const state = { name: 'Walnut Lamp', price: { amount: 4_900, currency: 'EUR' }, stock: 5, deleted: false };
  await h.app.services.repositories.catalog.apply(lamp, 1, state, state);
  await h.app.services.repositories.catalog.apply(gone, 1, { deleted: true }, { ...state, name: 'Gone', deleted: true });
}, 30_000);

afterAll(async () => h?.close());

describe('catalog projection', () => {
  it('keeps the highest aggregateVersion of a product, whatever order its events arrive in', async () => {
    const { catalog } = h.app.services.repositories;
    const id = '65f00000000000000000abcd';
    const v = (name: string, amount: number) => ({ name, price: { amount, currency: 'EUR' }, stock: 1, deleted: false });
    await catalog.apply(id, 3, v('Third', 300), v('Third', 300));
    // Late and redelivered events: an older version, then the same one with other data.
    await catalog.apply(id, 2, { name: 'Second', price: { amount: 200, currency: 'EUR' } });
    await catalog.apply(id, 3, { name: 'Third again' });
    expect(await catalog.findById(id)).toMatchObject({ name: 'Third', price: { amount: 300 }, version: 3 });
    await catalog.apply(id, 4, { deleted: true });
    expect(await catalog.findById(id)).toMatchObject({ name: 'Third', deleted: true, version: 4 });
    // A late product.created cannot bring a deleted product back.
    await catalog.apply(id, 1, v('First', 100), v('First', 100));
    expect(await catalog.findById(id)).toMatchObject({ deleted: true, version: 4 });
  });
});

describe('gateway trust', () => {
  it('serves GraphQL only to the gateway: unsigned and tampered calls are 403, health stays open', async () => {
    const unsigned = await graphqlRequest(h.url, CART_OF, { id: 'alice' }, { authorization: `Bearer ${alice}` });
    expect(unsigned.status).toBe(403);
    expect(code(unsigned)).toBe('FORBIDDEN');
    // Signed with another key pair's private key.
    const forged = signedAsGateway(generateGatewayKeyPair().signingKey, 'orders', '198.51.100.1');
    const wrongKey = await graphqlRequest(h.url, '{ __typename }', {}, forged);
    expect(wrongKey.status).toBe(403);
    expect((await fetch(`${h.http.url}/healthz`)).status).toBe(200);
    // Control: the gateway's signature gets through.
    expect((await h.request('{ __typename }')).errors).toBeUndefined();
  });
});

describe('cart', () => {
  it('adds, sums, updates, removes and clears, at catalog prices', async () => {
    expect((await h.request(ADD, { p: lamp, q: 2 }, alice)).data).toMatchObject({
      addToCart: { items: [{ product: { id: lamp }, quantity: 2 }], subtotal: { amount: 9_800, currency: 'EUR' } },
    });
    expect((await h.request(ADD, { p: lamp.toUpperCase(), q: 1 }, alice)).data).toMatchObject({
      addToCart: { items: [{ quantity: 3 }], subtotal: { amount: 14_700 } },
    });
    expect((await h.request(UPDATE, { p: lamp, q: 1 }, alice)).data).toMatchObject({
      updateCartItem: { items: [{ quantity: 1 }] },
    });
    expect((await h.request(REMOVE, { p: lamp }, alice)).data).toEqual({ removeFromCart: { items: [], subtotal: null } });
    await h.request(ADD, { p: lamp, q: 1 }, alice);
    expect((await h.request(CLEAR, {}, alice)).data).toEqual({ clearCart: { items: [], subtotal: null } });
  });

  it('refuses unbounded quantities, unknown and deleted products, and anonymous callers', async () => {
    for (const q of [0, -1, 100]) expect(code(await h.request(ADD, { p: lamp, q }, bob))).toBe('BAD_USER_INPUT');
    await h.request(ADD, { p: lamp, q: 60 }, bob);
    expect(code(await h.request(ADD, { p: lamp, q: 40 }, bob))).toBe('BAD_USER_INPUT');
    expect(code(await h.request(ADD, { p: new ObjectId().toHexString(), q: 1 }, bob))).toBe('BAD_USER_INPUT');
    expect(code(await h.request(ADD, { p: gone, q: 1 }, bob))).toBe('BAD_USER_INPUT');
    expect(code(await h.request(ADD, { p: 'not-an-id', q: 1 }, bob))).toBe('BAD_USER_INPUT');
    expect(code(await h.request(ADD, { p: lamp, q: 1 }))).toBe('UNAUTHENTICATED');
    await h.request(CLEAR, {}, bob);
  });

  it('shows a cart to its owner and admins only, also through _entities', async () => {
    await h.request(ADD, { p: lamp, q: 1 }, alice);
    expect((await h.request(CART_OF, { id: 'alice' }, alice)).data).toMatchObject({
      _entities: [{ cart: { items: [{ quantity: 1 }] } }],
    });
    expect((await h.request(CART_OF, { id: 'alice' }, admin)).data).toMatchObject({
      _entities: [{ cart: { items: [{ quantity: 1 }] } }],
    });
    expect(code(await h.request(CART_OF, { id: 'alice' }, bob))).toBe('FORBIDDEN');
    await h.request(CLEAR, {}, alice);
  });
});

describe('checkout', () => {
  it('refuses control characters in single-line address fields', async () => {
    await h.request(ADD, { p: lamp, q: 1 }, bob);
    const checkout = (field: string, value: string) =>
      h.request(
        `mutation($a: AddressInput!) { checkout(input: { idempotencyKey: "${randomUUID()}", shippingAddress: $a }) { id } }`,
        { a: { name: 'Bob', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE', [field]: value } },
        bob,
      );
    for (const [field, value] of [
      ['name', 'Bob\r\nX-Injected: 1'],
      ['line1', '1 Main St\n2nd line'],
      ['line2', 'c/o\u0000'],
      ['city', 'Ber\tlin'],
    ] as const) {
      const res = await checkout(field, value);
      expect(code(res), field).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!['field']).toBe(`shippingAddress.${field}`);
    }
    await h.request(CLEAR, {}, bob);
  });

  it('places one PENDING order per idempotency key, with catalog prices, and empties the cart', async () => {
    await h.request(ADD, { p: lamp, q: 2 }, alice);
    const key = randomUUID();
    const [first, second] = await Promise.all([h.request(CHECKOUT, { key }, alice), h.request(CHECKOUT, { key }, alice)]);
    const order = (first.data as { checkout: { id: string } }).checkout;
    expect(first.errors).toBeUndefined();
    expect((second.data as { checkout: { id: string } }).checkout.id).toBe(order.id);
    expect(order).toMatchObject({
      status: 'PENDING',
      // Germany, Standard (the cheapest), prices including 19% VAT: 9,800 + 490; the tax is 19/119 of it.
      total: { amount: 10_290, currency: 'EUR' },
      subtotal: { amount: 9_800 },
      shipping: { amount: 490 },
      tax: { amount: 1_643 },
      taxRate: 19,
      taxIncluded: true,
      shippingMethod: { id: 'STANDARD', deliveryEstimate: '2–4 business days' },
      items: [{ product: { id: lamp }, name: 'Walnut Lamp', unitPrice: { amount: 4_900 }, quantity: 2 }],
      payment: { method: 'INVOICE', status: 'NOT_DUE' },
      shippingAddress: { country: 'DE' },
    });
    expect(order.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await h.db.db.collection('orders').countDocuments({ userId: 'alice' })).toBe(1);
    const stored = await h.db.db.collection<{ _id: string; outbox: EventEnvelope[] }>('orders').findOne({ _id: order.id });
    expect(stored?.outbox.map((e) => [e.type, e.data])).toEqual([
      ['order.placed', { orderId: order.id, userId: 'alice', items: [{ productId: lamp, quantity: 2 }], aggregateVersion: 1 }],
    ]);
    expect((await h.request(CART_OF, { id: 'alice' }, alice)).data).toMatchObject({ _entities: [{ cart: { items: [] } }] });
    // The same key after the cart was emptied still answers with the order, not "cart is empty".
    expect((await h.request(CHECKOUT, { key }, alice)).data).toMatchObject({ checkout: { id: order.id } });
    expect(code(await h.request(CHECKOUT, { key: randomUUID() }, alice))).toBe('BAD_USER_INPUT');
  });

  it('hides my order from other customers, who cannot cancel it either; I can', async () => {
    await h.request(ADD, { p: lamp, q: 1 }, alice);
    const { checkout } = (await h.request(CHECKOUT, { key: randomUUID() }, alice)).data as { checkout: { id: string } };
    expect((await h.request(GET, { id: checkout.id }, bob)).data).toEqual({ order: null });
    expect(code(await h.request(CANCEL, { id: checkout.id }, bob))).toBe('NOT_FOUND');
    expect((await h.request(GET, { id: checkout.id }, admin)).data).toMatchObject({ order: { id: checkout.id } });
    expect((await h.request(CANCEL, { id: checkout.id }, alice)).data).toMatchObject({
      cancelOrder: {
        status: 'CANCELLED',
        statusHistory: [{ status: 'PENDING' }, { status: 'CANCELLED', reason: 'by the customer' }],
      },
    });
    expect(code(await h.request(CANCEL, { id: checkout.id }, alice))).toBe('CONFLICT');
    const ship = `mutation($id: ID!) { shipOrder(id: $id) { id } }`;
    expect(code(await h.request(ship, { id: checkout.id }, alice))).toBe('FORBIDDEN');
    expect(code(await h.request(ship, { id: checkout.id }, admin))).toBe('CONFLICT');
  });

  it('resolves many Order references with one query, each still visible to its owner and admins only', async () => {
    await h.request(ADD, { p: lamp, q: 1 }, bob);
    const { checkout } = (await h.request(CHECKOUT, { key: randomUUID() }, bob)).data as { checkout: { id: string } };
    const mine = (await h.db.db.collection<{ _id: string }>('orders').find({ userId: 'alice' }).toArray()).map((o) => o._id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const ids = [...mine, checkout.id, 'no-such-order', mine[0]!];
    const refs = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id } } }`;
    const reps = ids.map((id) => ({ __typename: 'Order', id }));
    const before = h.commands.length;
    const res = await h.request<{ _entities: ({ id: string } | null)[] }>(refs, { reps }, alice);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([...mine.map((id) => ({ id })), null, null, { id: mine[0] }]);
    const reads = h.commands.slice(before).filter((c) => c.commandName === 'find' && c.command['find'] === 'orders');
    expect(reads).toHaveLength(1);
    // An admin sees every one of them; an anonymous caller none.
    expect((await h.request<{ _entities: unknown[] }>(refs, { reps }, admin)).data!._entities.filter(Boolean)).toHaveLength(
      ids.length - 1,
    );
    expect((await h.request<{ _entities: unknown[] }>(refs, { reps })).data!._entities).toEqual(ids.map(() => null));
  });

  it('lists my orders newest first with cursors, and all orders for admins only', async () => {
    const mine = `query($first: Int, $after: String) { _entities(representations: [{ __typename: "User", id: "alice" }]) {
      ... on User { orders(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } } }`;
    type Page = {
      _entities: {
        orders: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }[];
    };
    const page1 = (await h.request<Page>(mine, { first: 1 }, alice)).data!._entities[0]!.orders;
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const page2 = (await h.request<Page>(mine, { first: 1, after: page1.pageInfo.endCursor }, alice)).data!._entities[0]!.orders;
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges[0]!.node.id).not.toBe(page1.edges[0]!.node.id);
    expect(code(await h.request(mine, { first: 1 }, bob))).toBe('FORBIDDEN');
    const all = `query { orders(filter: { status: CANCELLED }) { totalCount } }`;
    expect((await h.request(all, {}, admin)).data).toEqual({ orders: { totalCount: 1 } });
    expect(code(await h.request(all, {}, alice))).toBe('FORBIDDEN');
  });
});
