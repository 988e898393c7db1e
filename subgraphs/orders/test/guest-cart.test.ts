import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { startOrders, type OrdersHarness } from './support.js';

/** Guest carts: kept by an opaque token, merged into an account's cart once, by the written rule. */
let h: OrdersHarness;
const id = () => new ObjectId().toHexString();
const [lamp, mug, gone, soldOut, vase] = [id(), id(), id(), id(), id()];

const CART = `fragment C on Cart { items { product { id } quantity unitPrice { amount currency } } subtotal { amount currency } }`;
const START = `mutation { startGuestCart }`;
const GUEST = `query($t: String!) { guestCart(token: $t) { ...C } } ${CART}`;
const ADD = `mutation($p: ID!, $q: Int!, $t: String) { addToCart(productId: $p, quantity: $q, guestCartToken: $t) { ...C } } ${CART}`;
const MERGE = `mutation($t: String!) { mergeGuestCart(token: $t) { merged problems { product { id } quantity problem } cart { ...C } } } ${CART}`;

type Cart = { items: { product: { id: string }; quantity: number; unitPrice: { amount: number } }[] };
type Merge = {
  mergeGuestCart: { merged: boolean; problems: { product: { id: string }; quantity: number; problem: string }[]; cart: Cart };
};
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];
const lines = (cart: Cart) => Object.fromEntries(cart.items.map((i) => [i.product.id, i.quantity]));

async function guestCart(): Promise<string> {
  const token = (await h.request<{ startGuestCart: string }>(START)).data!.startGuestCart;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return token;
}

beforeAll(async () => {
  h = await startOrders();
  const product = (name: string, amount: number, currency = 'EUR', stock = 20) => ({
    name,
    price: { amount, currency },
    stock,
    deleted: false,
  });
  const catalog = h.app.services.repositories.catalog;
  await catalog.apply(lamp, 1, {}, product('Lamp', 4_900));
  await catalog.apply(mug, 1, {}, product('Mug', 1_200, 'USD'));
  await catalog.apply(gone, 1, {}, product('Gone', 100));
  await catalog.apply(soldOut, 1, {}, product('Sold out', 300));
  await catalog.apply(vase, 1, {}, product('Vase', 2_000));
}, 30_000);

afterAll(async () => h?.close());

describe('guest carts', () => {
  it('keeps a cart for a shopper who is not logged in, by its token only', async () => {
    const token = await guestCart();
    expect((await h.request(GUEST, { t: token })).data).toEqual({ guestCart: { items: [], subtotal: null } });
    const added = await h.request<{ addToCart: Cart }>(ADD, { p: lamp, q: 2, t: token });
    expect(added.errors).toBeUndefined();
    expect(lines(added.data!.addToCart)).toEqual({ [lamp]: 2 });
    expect(lines((await h.request<{ guestCart: Cart }>(GUEST, { t: token })).data!.guestCart)).toEqual({ [lamp]: 2 });
    // The same rules as an account's cart: one currency.
    expect(code(await h.request(ADD, { p: mug, q: 1, t: token }))).toBe('BAD_USER_INPUT');

    expect(code(await h.request(ADD, { p: lamp, q: 1 }))).toBe('UNAUTHENTICATED');
    expect(code(await h.request(ADD, { p: lamp, q: 1, t: 'not-a-token' }))).toBe('BAD_USER_INPUT');
    // Well-formed but never handed out: no cart is made up for it.
    expect(code(await h.request(ADD, { p: lamp, q: 1, t: 'A'.repeat(43) }))).toBe('BAD_USER_INPUT');
    expect((await h.request(GUEST, { t: 'A'.repeat(43) })).data).toEqual({ guestCart: null });
  });

  it('merges by the rule: summed and capped at 99, re-priced, unavailable and other-currency lines left out, each reported', async () => {
    const token = await guestCart();
    for (const [p, q] of [
      [lamp, 5],
      [gone, 1],
      [soldOut, 2],
    ] as const)
      await h.request(ADD, { p, q, t: token });
    // After the guest added them: one product is deleted, one sells out, the lamp gets cheaper.
    const catalog = h.app.services.repositories.catalog;
    await catalog.apply(gone, 2, { deleted: true });
    await catalog.apply(soldOut, 2, { stock: 0 });
    await catalog.apply(lamp, 2, { price: { amount: 3_900, currency: 'EUR' } });

    const ann = await h.tokenFor('ann');
    await h.request(ADD, { p: lamp, q: 97 }, ann);
    const merged = await h.request<Merge>(MERGE, { t: token }, ann);
    expect(merged.errors).toBeUndefined();
    const { merged: did, problems, cart } = merged.data!.mergeGuestCart;
    expect(did).toBe(true);
    expect(lines(cart)).toEqual({ [lamp]: 99, [soldOut]: 2 });
    expect(cart.items.find((i) => i.product.id === lamp)!.unitPrice.amount).toBe(3_900);
    expect(problems.map((p) => [p.product.id, p.quantity, p.problem])).toEqual([
      [lamp, 5, 'QUANTITY_CAPPED'],
      [gone, 1, 'UNAVAILABLE'],
      [soldOut, 2, 'OUT_OF_STOCK'],
    ]);
    // The guest cart is gone, and merging again takes nothing.
    expect((await h.request(GUEST, { t: token })).data).toEqual({ guestCart: null });
    expect((await h.request<Merge>(MERGE, { t: token }, ann)).data!.mergeGuestCart).toMatchObject({
      merged: false,
      problems: [],
    });
  });

  it('leaves out lines in another currency than the account’s cart, and lines beyond 50 products', async () => {
    const usd = await guestCart();
    await h.request(ADD, { p: mug, q: 1, t: usd });
    const bo = await h.tokenFor('bo');
    await h.request(ADD, { p: vase, q: 1 }, bo);
    const merged = (await h.request<Merge>(MERGE, { t: usd }, bo)).data!.mergeGuestCart;
    expect(lines(merged.cart)).toEqual({ [vase]: 1 });
    expect(merged.problems.map((p) => p.problem)).toEqual(['OTHER_CURRENCY']);

    // An account cart with 50 products already: a new product from the guest cart does not fit.
    const cy = await h.tokenFor('cy');
    const catalog = h.app.services.repositories.catalog;
    for (let i = 0; i < 50; i++) {
      const p = id();
      await catalog.apply(p, 1, {}, { name: `Thing ${i}`, price: { amount: 100, currency: 'EUR' }, stock: 5, deleted: false });
      await h.request(ADD, { p, q: 1 }, cy);
    }
    const full = await guestCart();
    await h.request(ADD, { p: vase, q: 1, t: full });
    const result = (await h.request<Merge>(MERGE, { t: full }, cy)).data!.mergeGuestCart;
    expect(result.cart.items).toHaveLength(50);
    expect(result.problems.map((p) => [p.product.id, p.problem])).toEqual([[vase, 'TOO_MANY_LINES']]);
  });

  it('merges exactly once when two tabs log in at once', async () => {
    const token = await guestCart();
    await h.request(ADD, { p: vase, q: 3, t: token });
    const dee = await h.tokenFor('dee');
    const [a, b] = await Promise.all([h.request<Merge>(MERGE, { t: token }, dee), h.request<Merge>(MERGE, { t: token }, dee)]);
    expect([a.data!.mergeGuestCart.merged, b.data!.mergeGuestCart.merged].sort()).toEqual([false, true]);
    const { _entities } = (
      await h.request<{ _entities: { cart: Cart }[] }>(
        `query { _entities(representations: [{ __typename: "User", id: "dee" }]) { ... on User { cart { ...C } } } } ${CART}`,
        {},
        dee,
      )
    ).data!;
    expect(lines(_entities[0]!.cart)).toEqual({ [vase]: 3 });
    // Merging needs an account.
    expect(code(await h.request(MERGE, { t: await guestCart() }))).toBe('UNAUTHENTICATED');
  });

  it('limits the guest carts one client address starts per hour (RATE_LIMITED)', async () => {
    const from = createScope({ logger: silentLogger, clientIp: '203.0.113.9' });
    for (let i = 0; i < 20; i++) await h.app.services.carts.startGuest(from);
    await expect(h.app.services.carts.startGuest(from)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    // Another address, or the same an hour later, is not held back.
    await h.app.services.carts.startGuest(createScope({ logger: silentLogger, clientIp: '203.0.113.10' }));
    await h.app.services.carts.startGuest(from, new Date(Date.now() + 61 * 60_000));
  });

  it('deletes guest carts nobody touched for 30 days', async () => {
    const token = await guestCart();
    await h.request(ADD, { p: vase, q: 1, t: token });
    expect(await h.app.services.carts.expireGuests(new Date(Date.now() + 29 * 24 * 60 * 60_000))).toBe(0);
    expect(await h.app.services.carts.expireGuests(new Date(Date.now() + 31 * 24 * 60 * 60_000))).toBeGreaterThanOrEqual(1);
    expect((await h.request(GUEST, { t: token })).data).toEqual({ guestCart: null });
  });
});
