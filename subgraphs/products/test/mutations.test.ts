import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsignedToken } from '@little-ecom/testing';
import { CREATE_PRODUCT, startProducts, type ProductFields, type ProductsHarness } from './support.js';

const UPDATE = `mutation Update($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id slug name price { amount currency } stock inStock updatedAt } }`;
const DELETE = `mutation Delete($id: ID!) { deleteProduct(id: $id) }`;

const valid = {
  name: 'Walnut Desk Lamp',
  description: 'Warm light',
  price: { amount: 4999, currency: 'EUR' },
  stock: 3,
  category: 'lighting',
  imageUrls: ['https://images.example/lamp.jpg'],
};

describe('product mutations', () => {
  let api: ProductsHarness;
  let created: ProductFields;

  beforeAll(async () => {
    api = await startProducts();
    const res = await api.request<{ createProduct: ProductFields }>(CREATE_PRODUCT, { input: valid });
    expect(res.errors).toBeUndefined();
    created = res.data!.createProduct;
  });
  afterAll(async () => api?.close());

  it('creates a product with a slug derived from its name', () => {
    expect(created).toMatchObject({
      slug: 'walnut-desk-lamp',
      name: 'Walnut Desk Lamp',
      stock: 3,
      inStock: true,
      price: valid.price,
    });
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(created.createdAt)).not.toBeNaN();
  });

  const invalidInputs: [string, Record<string, unknown>, string][] = [
    ['empty name', { name: '   ' }, 'name'],
    ['too long name', { name: 'x'.repeat(201) }, 'name'],
    ['name with CR/LF', { name: 'Lamp\r\nBcc: victim@example.com' }, 'name'],
    ['name with a line separator', { name: 'Lamp\u2028Second line' }, 'name'],
    ['too long description', { description: 'x'.repeat(5001) }, 'description'],
    ['negative price', { price: { amount: -1, currency: 'EUR' } }, 'price.amount'],
    ['huge price', { price: { amount: 2_000_000_000, currency: 'EUR' } }, 'price.amount'],
    ['unknown currency', { price: { amount: 100, currency: 'XYZ' } }, 'price.currency'],
    ['lowercase currency', { price: { amount: 100, currency: 'eur' } }, 'price.currency'],
    ['negative stock', { stock: -5 }, 'stock'],
    ['bad slug', { slug: 'Not A Slug!' }, 'slug'],
    ['slug with double hyphen', { slug: 'a--b' }, 'slug'],
    ['too long slug', { slug: 'a'.repeat(97) }, 'slug'],
    ['bad category', { category: 'Kitchen & Bath' }, 'category'],
    ['javascript image url', { imageUrls: ['javascript:alert(1)'] }, 'imageUrls[0]'],
    ['relative image url', { imageUrls: ['/img.png'] }, 'imageUrls[0]'],
    ['too many images', { imageUrls: Array.from({ length: 11 }, (_, i) => `https://img.example/${i}.png`) }, 'imageUrls'],
  ];

  for (const [label, patch, field] of invalidInputs) {
    it(`rejects ${label} with BAD_USER_INPUT naming ${field}`, async () => {
      const res = await api.request(CREATE_PRODUCT, {
        input: { ...valid, slug: `valid-${Math.random().toString(36).slice(2, 8)}`, ...patch },
      });
      expect(res.status).toBe(200);
      const error = res.errors?.[0];
      expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect((error?.extensions?.['fields'] as { field: string }[]).map((f) => f.field)).toContain(field);
    });
  }

  it('rejects non-integer money at the GraphQL layer with a code', async () => {
    const res = await api.request(CREATE_PRODUCT, { input: { ...valid, price: { amount: 1.5, currency: 'EUR' } } });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('reports every problem of an input at once', async () => {
    const res = await api.request(CREATE_PRODUCT, {
      input: { ...valid, name: '', stock: -1, price: { amount: -1, currency: 'ZZZ' } },
    });
    const fields = (res.errors?.[0]?.extensions?.['fields'] as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'stock', 'price.amount', 'price.currency']));
  });

  it('answers CONFLICT for a duplicate slug, on create and on update', async () => {
    const dup = await api.request(CREATE_PRODUCT, { input: { ...valid } });
    expect(dup.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    const other = await api.request<{ createProduct: ProductFields }>(CREATE_PRODUCT, {
      input: { ...valid, slug: 'other-lamp' },
    });
    const res = await api.request(UPDATE, { id: other.data!.createProduct.id, input: { slug: 'walnut-desk-lamp' } });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('updates only the given fields', async () => {
    const res = await api.request<{
      updateProduct: { price: { amount: number }; stock: number; inStock: boolean; name: string; updatedAt: string };
    }>(UPDATE, { id: created.id, input: { price: { amount: 3999, currency: 'EUR' }, stock: 0 } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateProduct).toMatchObject({
      name: 'Walnut Desk Lamp',
      stock: 0,
      inStock: false,
      price: { amount: 3999 },
    });
    expect(res.data!.updateProduct.updatedAt >= created.updatedAt).toBe(true);
    const empty = await api.request(UPDATE, { id: created.id, input: {} });
    expect(empty.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const invalid = await api.request(UPDATE, { id: created.id, input: { stock: -2 } });
    expect(invalid.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('answers NOT_FOUND when updating or deleting a missing product, BAD_USER_INPUT for a malformed id', async () => {
    const missing = 'ffffffffffffffffffffffff';
    expect((await api.request(UPDATE, { id: missing, input: { stock: 1 } })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await api.request(DELETE, { id: missing })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await api.request(DELETE, { id: 'not-an-id' })).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('deletes a product', async () => {
    const res = await api.request<{ createProduct: ProductFields }>(CREATE_PRODUCT, { input: { ...valid, slug: 'to-delete' } });
    const id = res.data!.createProduct.id;
    expect((await api.request<{ deleteProduct: boolean }>(DELETE, { id })).data).toEqual({ deleteProduct: true });
    const after = await api.request<{ product: null }>(`query ($id: ID) { product(id: $id) { id } }`, { id });
    expect(after.data!.product).toBeNull();
    expect((await api.request(DELETE, { id })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  describe('authorization', () => {
    const input = { ...valid, slug: 'auth-check' };

    it('requires a token: UNAUTHENTICATED without one', async () => {
      const res = await api.request(CREATE_PRODUCT, { input }, {});
      expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect((await api.request(DELETE, { id: created.id }, {})).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('requires the ADMIN role: FORBIDDEN for a customer', async () => {
      const headers = { authorization: `Bearer ${api.customerToken}` };
      for (const [query, variables] of [
        [CREATE_PRODUCT, { input }],
        [UPDATE, { id: created.id, input: { stock: 9 } }],
        [DELETE, { id: created.id }],
      ] as const) {
        const res = await api.request(query, variables, headers);
        expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      }
    });

    const badTokens: [string, () => Promise<string>][] = [
      ['a wrong issuer', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { issuer: 'https://evil.example' })],
      ['a wrong audience', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { audience: 'someone-else' })],
      ['an HMAC algorithm', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { alg: 'HS256' })],
      ['an unpinned RSA algorithm', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { alg: 'RS256' })],
      [
        'alg none',
        async () =>
          unsignedToken({
            sub: 'a',
            role: 'ADMIN',
            iss: api.issuer.issuer,
            aud: api.issuer.audience,
            exp: 9_999_999_999,
            iat: 1,
            jti: 'x',
          }),
      ],
      ['a signature by another key', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { foreignKey: true })],
      [
        'an expired token',
        () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      ],
      ['a token that is not an access token', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { typ: 'JWT' })],
      ['a token with an unknown role', () => api.issuer.sign({ sub: 'a', role: 'SUPERUSER' })],
      ['a token without jti', () => api.issuer.sign({ sub: 'a', role: 'ADMIN' }, { jti: null })],
      ['garbage', async () => 'not.a.jwt'],
    ];

    for (const [label, makeToken] of badTokens) {
      it(`rejects ${label} with UNAUTHENTICATED`, async () => {
        const res = await api.request(CREATE_PRODUCT, { input }, { authorization: `Bearer ${await makeToken()}` });
        expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
        // Refused before execution: no data at all.
        expect(res.data ?? null).toBeNull();
      });
    }

    it('lets anonymous callers read the catalog, but a bad token is UNAUTHENTICATED even there', async () => {
      expect((await api.request(`{ products(first: 1) { totalCount } }`)).errors).toBeUndefined();
      const res = await api.request(`{ products(first: 1) { totalCount } }`, undefined, { authorization: 'Bearer not.a.jwt' });
      expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect(res.status).toBe(200);
    });
  });
});
