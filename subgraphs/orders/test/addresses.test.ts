import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrders, type OrdersHarness } from './support.js';

/** The address book: saved addresses with one default, used at checkout; personal data. */
let h: OrdersHarness;
let mia: string;
let ned: string;
let admin: string;
const lamp = new ObjectId().toHexString();

const FIELDS = 'id name line1 line2 city postalCode country isDefault';
const SAVE = `mutation($input: AddressInput!, $d: Boolean) { saveAddress(input: $input, makeDefault: $d) { ${FIELDS} } }`;
const DEFAULT = `mutation($id: ID!) { setDefaultAddress(id: $id) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteAddress(id: $id) }`;
const BOOK = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { addresses { ${FIELDS} } } } }`;
const ADD = `mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { items { quantity } } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { id shippingAddress { name line1 city country } } }`;

const home = { name: 'Mia Lund', line1: 'Storgatan 1', city: 'Malmö', postalCode: '211 34', country: 'se' };
const work = { name: 'Mia Lund', line1: 'Hamngatan 9', line2: '3 tr', city: 'Malmö', postalCode: '211 22', country: 'SE' };

type Saved = { id: string; line1: string; isDefault: boolean };
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.['code'];
const book = async (userId: string, token: string) =>
  (
    (await h.request<{ _entities: { addresses: Saved[] }[] }>(BOOK, { id: userId }, token)).data?._entities[0]?.addresses ?? []
  ).map((a) => [a.line1, a.isDefault]);

beforeAll(async () => {
  h = await startOrders();
  [mia, ned, admin] = await Promise.all([h.tokenFor('mia'), h.tokenFor('ned'), h.tokenFor('admin-1', 'ADMIN')]);
  const state = { name: 'Walnut Lamp', price: { amount: 4_900, currency: 'EUR' }, stock: 50, deleted: false };
  await h.app.services.repositories.catalog.apply(lamp, 1, state, state);
}, 30_000);

afterAll(async () => h?.close());

describe('address book', () => {
  it('keeps exactly one default: the first saved, then the one chosen, then the newest left after a delete', async () => {
    const first = (await h.request<{ saveAddress: Saved }>(SAVE, { input: home }, mia)).data!.saveAddress;
    expect(first).toMatchObject({ line1: 'Storgatan 1', country: 'SE', line2: null, isDefault: true });
    // The same address again is the one saved, not a copy.
    expect(
      (await h.request<{ saveAddress: Saved }>(SAVE, { input: { ...home, city: ' Malmö ' } }, mia)).data!.saveAddress.id,
    ).toBe(first.id);
    const second = (await h.request<{ saveAddress: Saved }>(SAVE, { input: work }, mia)).data!.saveAddress;
    expect(second.isDefault).toBe(false);
    expect(await book('mia', mia)).toEqual([
      ['Storgatan 1', true],
      ['Hamngatan 9', false],
    ]);
    expect((await h.request(DEFAULT, { id: second.id }, mia)).data).toMatchObject({ setDefaultAddress: { isDefault: true } });
    expect(await book('mia', mia)).toEqual([
      ['Hamngatan 9', true],
      ['Storgatan 1', false],
    ]);
    expect((await h.request(DELETE, { id: second.id }, mia)).data).toEqual({ deleteAddress: true });
    expect(await book('mia', mia)).toEqual([['Storgatan 1', true]]);
    expect((await h.request(DELETE, { id: second.id }, mia)).data).toEqual({ deleteAddress: false });
  });

  it('is personal: others get FORBIDDEN or nothing, an admin may read it, anonymous callers are refused', async () => {
    const [saved] = (await h.request<{ _entities: { addresses: Saved[] }[] }>(BOOK, { id: 'mia' }, mia)).data!._entities[0]!
      .addresses;
    expect(code(await h.request(BOOK, { id: 'mia' }, ned))).toBe('FORBIDDEN');
    expect(await book('mia', admin)).toEqual([['Storgatan 1', true]]);
    // Ned's calls act on Ned's own book: Mia's address id is unknown there.
    expect(code(await h.request(DEFAULT, { id: saved!.id }, ned))).toBe('NOT_FOUND');
    expect((await h.request(DELETE, { id: saved!.id }, ned)).data).toEqual({ deleteAddress: false });
    expect(await book('mia', mia)).toEqual([['Storgatan 1', true]]);
    expect(code(await h.request(SAVE, { input: home }))).toBe('UNAUTHENTICATED');
  });

  it('refuses bad addresses with the field named, and a 21st address', async () => {
    const bad = await h.request(SAVE, { input: { ...home, country: 'S1' } }, ned);
    expect(code(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toBe('address.country must be an ISO 3166-1 alpha-2 code');
    expect(code(await h.request(SAVE, { input: { ...home, line1: 'a\nb' } }, ned))).toBe('BAD_USER_INPUT');
    for (let i = 0; i < 20; i++) await h.request(SAVE, { input: { ...home, line1: `Gatan ${i}` } }, ned);
    const full = await h.request(SAVE, { input: { ...home, line1: 'Gatan 20' } }, ned);
    expect(code(full)).toBe('BAD_USER_INPUT');
    expect(full.errors?.[0]?.message).toBe('An address book holds at most 20 addresses; delete one first');
  });

  it('checks out to a saved address by id, or saves the new one when asked; never both, never someone else’s', async () => {
    const [saved] = (await h.request<{ _entities: { addresses: Saved[] }[] }>(BOOK, { id: 'mia' }, mia)).data!._entities[0]!
      .addresses;
    await h.request(ADD, { p: lamp }, mia);
    const bySaved = await h.request(CHECKOUT, { input: { idempotencyKey: randomUUID(), addressId: saved!.id } }, mia);
    expect(bySaved.data).toMatchObject({ checkout: { shippingAddress: { line1: 'Storgatan 1', city: 'Malmö', country: 'SE' } } });

    await h.request(ADD, { p: lamp }, mia);
    const both = await h.request(
      CHECKOUT,
      { input: { idempotencyKey: randomUUID(), addressId: saved!.id, shippingAddress: work } },
      mia,
    );
    expect(code(both)).toBe('BAD_USER_INPUT');
    expect(code(await h.request(CHECKOUT, { input: { idempotencyKey: randomUUID() } }, mia))).toBe('BAD_USER_INPUT');
    const foreign = await h.request(CHECKOUT, { input: { idempotencyKey: randomUUID(), addressId: saved!.id } }, ned);
    expect(code(foreign)).toBe('BAD_USER_INPUT');

    const andSaved = await h.request(
      CHECKOUT,
      { input: { idempotencyKey: randomUUID(), shippingAddress: work, saveAddress: true } },
      mia,
    );
    expect(andSaved.data).toMatchObject({ checkout: { shippingAddress: { line1: 'Hamngatan 9' } } });
    expect(await book('mia', mia)).toEqual([
      ['Storgatan 1', true],
      ['Hamngatan 9', false],
    ]);
  });
});
