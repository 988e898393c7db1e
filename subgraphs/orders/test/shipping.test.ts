import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { ORDERS, type OrderDocument } from '../src/orders/order.repository.js';
import { startOrders, type OrdersHarness } from './support.js';

/** Shipping methods per destination and tax per country, computed by the server; gross and net stores. */
let gross: OrdersHarness;
let net: OrdersHarness;
const lamp = new ObjectId().toHexString();

const METHODS = `query($c: String!, $cur: String) { shippingMethods(country: $c, currency: $cur) { id name price { amount currency } deliveryEstimate } }`;
const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { items { quantity } } }`;
const QUOTE = `query($id: ID!, $c: String!, $m: ID) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User {
  cart { quote(country: $c, shippingMethod: $m) { subtotal { amount } shipping { amount } tax { amount } total { amount currency }
  taxRate taxIncluded shippingMethod { id deliveryEstimate } } } } } }`;
const CHECKOUT = `mutation($key: String!, $country: String!, $m: ID) { checkout(input: { idempotencyKey: $key, shippingMethod: $m,
  shippingAddress: { name: "Ivy", line1: "1 Rue X", city: "Paris", postalCode: "75001", country: $country } }) {
  id subtotal { amount } shipping { amount } tax { amount } total { amount } taxRate taxIncluded shippingMethod { id name } } }`;

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message;

beforeAll(async () => {
  [gross, net] = await Promise.all([startOrders(), startOrders({ PRICES_INCLUDE_TAX: 'false' })]);
  const state = { name: 'Walnut Lamp', price: { amount: 5_000, currency: 'EUR' }, stock: 50, deleted: false };
  for (const h of [gross, net]) await h.app.services.repositories.catalog.apply(lamp, 1, state, state);
}, 30_000);

afterAll(async () => Promise.all([gross?.close(), net?.close()]));

describe('shipping and tax', () => {
  it('lists the methods that ship to a country, cheapest first, and refuses unknown countries and currencies', async () => {
    expect((await gross.request(METHODS, { c: 'de' })).data).toEqual({
      shippingMethods: [
        { id: 'STANDARD', name: 'Standard', price: { amount: 490, currency: 'EUR' }, deliveryEstimate: '2–4 business days' },
        { id: 'EXPRESS', name: 'Express', price: { amount: 990, currency: 'EUR' }, deliveryEstimate: '1–2 business days' },
      ],
    });
    expect((await gross.request(METHODS, { c: 'US' })).data).toMatchObject({
      shippingMethods: [{ id: 'STANDARD', price: { amount: 1_990 } }],
    });
    expect((await gross.request(METHODS, { c: 'US', cur: 'USD' })).data).toMatchObject({
      shippingMethods: [{ id: 'STANDARD', price: { amount: 2_490, currency: 'USD' } }],
    });
    expect(code(await gross.request(METHODS, { c: 'XX' }))).toBe('BAD_USER_INPUT');
    expect(code(await gross.request(METHODS, { c: 'DE', cur: 'euro' }))).toBe('BAD_USER_INPUT');
  });

  it('quotes a cart and checks it out with the chosen method and the destination’s VAT, included in the prices', async () => {
    const token = await gross.tokenFor('ivy');
    await gross.request(ADD, { p: lamp, q: 2 }, token);
    // France, Express: 10,000 + 1,990; 20% VAT is 1/6 of it.
    const quote = await gross.request(QUOTE, { id: 'ivy', c: 'FR', m: 'EXPRESS' }, token);
    expect(quote.data).toMatchObject({
      _entities: [
        {
          cart: {
            quote: {
              subtotal: { amount: 10_000 },
              shipping: { amount: 1_990 },
              tax: { amount: 1_998 },
              total: { amount: 11_990, currency: 'EUR' },
              taxRate: 20,
              taxIncluded: true,
              shippingMethod: { id: 'EXPRESS', deliveryEstimate: '2–3 business days' },
            },
          },
        },
      ],
    });
    const refused = await gross.request(CHECKOUT, { key: randomUUID(), country: 'US', m: 'EXPRESS' }, token);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(message(refused)).toBe('Shipping method EXPRESS does not ship to US; choose one of STANDARD');
    expect(code(await gross.request(CHECKOUT, { key: randomUUID(), country: 'XX' }, token))).toBe('BAD_USER_INPUT');

    const placed = await gross.request<{ checkout: { id: string } }>(
      CHECKOUT,
      { key: randomUUID(), country: 'FR', m: 'EXPRESS' },
      token,
    );
    expect(placed.data).toMatchObject({
      checkout: {
        subtotal: { amount: 10_000 },
        shipping: { amount: 1_990 },
        tax: { amount: 1_998 },
        total: { amount: 11_990 },
        taxRate: 20,
        taxIncluded: true,
        shippingMethod: { id: 'EXPRESS', name: 'Express' },
      },
    });

    // Products reserves at a lower price: goods and tax are re-priced, shipping and the rate stay.
    const id = placed.data!.checkout.id;
    const stored = await gross.db.db.collection<OrderDocument>(ORDERS).findOne({ _id: id });
    const reserved = stored!.items.map((i) => ({ ...i, unitPrice: { amount: 4_000, currency: 'EUR' } }));
    await gross.app.services.orders.confirm(createScope({ logger: silentLogger }), id, reserved);
    expect(await gross.db.db.collection<OrderDocument>(ORDERS).findOne({ _id: id })).toMatchObject({
      status: 'CONFIRMED',
      subtotal: { amount: 8_000 },
      shipping: { id: 'EXPRESS', price: { amount: 1_990 } },
      tax: { amount: 1_665 },
      total: { amount: 9_990 },
    });
  });

  it('adds the tax on top when prices exclude it (PRICES_INCLUDE_TAX=false)', async () => {
    const token = await net.tokenFor('jan');
    await net.request(ADD, { p: lamp, q: 2 }, token);
    const placed = await net.request(CHECKOUT, { key: randomUUID(), country: 'FR' }, token);
    // 10,000 + 990 Standard to France, then 20% of that.
    expect(placed.data).toMatchObject({
      checkout: {
        subtotal: { amount: 10_000 },
        shipping: { amount: 990 },
        tax: { amount: 2_198 },
        total: { amount: 13_188 },
        taxIncluded: false,
      },
    });
  });
});
