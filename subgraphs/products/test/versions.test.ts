import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS, type ProductDocument } from '../src/catalog/product.repository.js';
import { CREATE_PRODUCT, startProducts, type ProductFields, type ProductsHarness } from './support.js';

let api: ProductsHarness;
beforeAll(async () => {
  api = await startProducts();
});
afterAll(async () => api?.close());

describe('aggregate versions', () => {
  it('writes a version per product, +1 per event, in the same write as the change and its outbox entry', async () => {
    const input = {
      name: 'Versioned',
      description: '',
      price: { amount: 100, currency: 'EUR' },
      stock: 1,
      category: 'x',
      imageUrls: [],
    };
    const { id } = (await api.request<{ createProduct: ProductFields }>(CREATE_PRODUCT, { input })).data!.createProduct;
    const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`;
    expect((await api.request(UPDATE, { id, input: { stock: 2 } })).errors).toBeUndefined();
    expect((await api.request(UPDATE, { id, input: { price: { amount: 90, currency: 'EUR' } } })).errors).toBeUndefined();
    expect((await api.request(`mutation ($id: ID!) { deleteProduct(id: $id) }`, { id })).errors).toBeUndefined();

    const doc = await api.db.db.collection<ProductDocument>(PRODUCTS).findOne({ _id: new ObjectId(id) });
    expect(doc!.version).toBe(4);
    expect(doc!.outbox!.map((e) => [e.type, e.data['aggregateVersion']])).toEqual([
      ['product.created', 1],
      ['product.updated', 2],
      ['product.updated', 3],
      ['product.deleted', 4],
    ]);
  });
});
