import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrders, type OrdersHarness } from './support.js';

/** Money through the orders API: totals beyond 32 bits stay exact, and a cart never mixes currencies. */
let h: OrdersHarness;
let carol: string;
let dave: string;
let admin: string;
const [yacht, lamp, mug] = [0, 1, 2].map(() => new ObjectId().toHexString()) as [string, string, string];

const CART = `fragment C on Cart { items { product { id } quantity unitPrice { amount currency } } subtotal { amount currency } }`;
const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { ...C } } ${CART}`;
const MY_CART = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { cart { ...C } } } } ${CART}`;
const CLEAR = `mutation { clearCart { items { quantity } } }`;
const CHECKOUT = `mutation($key: String!) { checkout(input: { idempotencyKey: $key, shippingAddress: {
  name: "Carol", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" } }) { id total { amount currency } } }`;
const ORDERS = `query { orders(first: 10) { totalCount edges { node { id total { amount currency } } } } }`;

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message;

beforeAll(async () => {
  // 102 units in one order: above the default cap on units unpaid orders hold (holds.test.ts tests that).
  h = await startOrders({ ORDER_MAX_HELD_UNITS: '200' });
  [carol, dave, admin] = await Promise.all([h.tokenFor('carol'), h.tokenFor('dave'), h.tokenFor('admin-1', 'ADMIN')]);
  const product = (name: string, amount: number, currency: string) => ({
    name,
    price: { amount, currency },
    stock: 99,
    deleted: false,
  });
  const catalog = h.app.services.repositories.catalog;
  await catalog.apply(yacht, 1, product('Yacht', 900_000_000, 'EUR'), product('Yacht', 900_000_000, 'EUR'));
  await catalog.apply(lamp, 1, product('Walnut Lamp', 1_000, 'EUR'), product('Walnut Lamp', 1_000, 'EUR'));
  await catalog.apply(mug, 1, product('Diner Mug', 1_000, 'USD'), product('Diner Mug', 1_000, 'USD'));
}, 30_000);

afterAll(async () => h?.close());

describe('money', () => {
  it('sums 3 × 900,000,000 minor units exactly in the cart, the order and the admin list', async () => {
    const added = await h.request(ADD, { p: yacht, q: 3 }, carol);
    expect(added.errors).toBeUndefined();
    expect(added.data).toMatchObject({ addToCart: { subtotal: { amount: 2_700_000_000, currency: 'EUR' } } });
    // The largest unit price an Int takes, 99 times: far beyond 32 bits, still exact.
    const most = 2_147_483_647;
    await h.app.services.repositories.catalog.apply(lamp, 2, { price: { amount: most, currency: 'EUR' } });
    const big = await h.request(ADD, { p: lamp, q: 99 }, carol);
    expect(big.data).toMatchObject({ addToCart: { subtotal: { amount: 2_700_000_000 + 99 * most } } });

    const placed = await h.request(CHECKOUT, { key: randomUUID() }, carol);
    expect(placed.errors).toBeUndefined();
    // Plus Standard shipping to Germany (490).
    expect(placed.data).toMatchObject({ checkout: { total: { amount: 2_700_000_000 + 99 * most + 490, currency: 'EUR' } } });
    const listed = await h.request(ORDERS, {}, admin);
    expect(listed.errors).toBeUndefined();
    expect(listed.data).toMatchObject({ orders: { edges: [{ node: { total: { amount: 2_700_000_000 + 99 * most + 490 } } }] } });
    await h.app.services.repositories.catalog.apply(lamp, 3, { price: { amount: 1_000, currency: 'EUR' } });
  });

  it('keeps one currency per cart: a product in another is BAD_USER_INPUT and the cart is unchanged', async () => {
    await h.request(ADD, { p: lamp, q: 1 }, dave);
    const refused = await h.request(ADD, { p: mug, q: 1 }, dave);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(message(refused)).toBe('This cart is in EUR; Diner Mug is priced in USD. Check out or empty the cart first.');
    expect((await h.request(MY_CART, { id: 'dave' }, dave)).data).toMatchObject({
      _entities: [{ cart: { items: [{ product: { id: lamp }, quantity: 1 }], subtotal: { amount: 1_000, currency: 'EUR' } } }],
    });
    // Empty again: any currency may start it.
    await h.request(CLEAR, {}, dave);
    expect((await h.request(ADD, { p: mug, q: 2 }, dave)).data).toMatchObject({
      addToCart: { subtotal: { amount: 2_000, currency: 'USD' } },
    });
    await h.request(CLEAR, {}, dave);
  });

  it('never sums across currencies: two adds at once into an empty cart, and a price edit after adding', async () => {
    const both = await Promise.all([h.request(ADD, { p: lamp, q: 1 }, dave), h.request(ADD, { p: mug, q: 1 }, dave)]);
    expect(both.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(both.map(code).filter(Boolean)).toEqual(['BAD_USER_INPUT']);
    await h.request(CLEAR, {}, dave);

    await h.request(ADD, { p: lamp, q: 1 }, dave);
    await h.request(ADD, { p: yacht, q: 1 }, dave);
    // The catalog re-prices the lamp in USD after it was added: no subtotal, and no checkout.
    await h.app.services.repositories.catalog.apply(lamp, 4, { price: { amount: 1_000, currency: 'USD' } });
    const cart = await h.request(MY_CART, { id: 'dave' }, dave);
    expect(cart.errors).toBeUndefined();
    expect(cart.data).toMatchObject({ _entities: [{ cart: { subtotal: null } }] });
    const checkout = await h.request(CHECKOUT, { key: randomUUID() }, dave);
    expect(code(checkout)).toBe('BAD_USER_INPUT');
  });
});
