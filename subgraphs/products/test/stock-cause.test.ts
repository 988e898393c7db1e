import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent, checkEvent } from '@little-ecom/events';
import { silentLogger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { PRODUCTS, type ProductDocument } from '../src/catalog/product.repository.js';
import { CREATE_PRODUCT, startProducts, type ProductFields, type ProductsHarness } from './support.js';

let api: ProductsHarness;
beforeAll(async () => {
  api = await startProducts();
});
afterAll(async () => api?.close());

const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`;

async function product(stock: number): Promise<string> {
  const input = {
    name: `P${stock} ${randomUUID().slice(0, 8)}`,
    description: '',
    price: { amount: 100, currency: 'EUR' },
    stock,
    category: 'x',
    imageUrls: [],
  };
  const res = await api.request<{ createProduct: ProductFields }>(CREATE_PRODUCT, { input });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.createProduct.id;
}

const stockUpdates = async (id: string) =>
  ((await api.db.db.collection<ProductDocument>(PRODUCTS).findOne({ _id: new ObjectId(id) }))?.outbox ?? [])
    .filter((e) => e.type === 'product.updated')
    .map((e) => [e.data['stock'], e.data['stockChangeCause']]);

// Item 4 of issue 20: notifications must tell a saga's reservation or release from a restock.
describe('product.updated says why the stock changed', () => {
  it('tags a reservation and its release (an order rejected on another line) as such, an admin edit as restock or admin', async () => {
    const [held, missing] = [await product(1), await product(0)];
    const placed = buildEvent(
      'order.placed',
      {
        orderId: randomUUID(),
        userId: randomUUID(),
        items: [
          { productId: held, quantity: 1 },
          { productId: missing, quantity: 1 },
        ],
        aggregateVersion: 1,
      },
      { source: 'orders', correlationId: 'c' },
    );
    await api.app.services.handleStockEvent(createScope({ logger: silentLogger }), checkEvent(placed));
    expect(await stockUpdates(held)).toEqual([
      [{ before: 1, after: 0 }, 'reservation'],
      [{ before: 0, after: 1 }, 'release'],
    ]);

    expect((await api.request(UPDATE, { id: missing, input: { stock: 3 } })).errors).toBeUndefined();
    expect((await api.request(UPDATE, { id: missing, input: { stock: 1 } })).errors).toBeUndefined();
    expect((await api.request(UPDATE, { id: missing, input: { name: 'Renamed' } })).errors).toBeUndefined();
    expect(await stockUpdates(missing)).toEqual([
      [{ before: 0, after: 3 }, 'restock'],
      [{ before: 3, after: 1 }, 'admin'],
      [{ before: 1, after: 1 }, undefined],
    ]);
  });

  it('gives back what an order holds when orders rejects it as TIMED_OUT (its reaper gave up)', async () => {
    const id = await product(1);
    const [orderId, userId] = [randomUUID(), randomUUID()];
    const scope = createScope({ logger: silentLogger });
    const handle = api.app.services.handleStockEvent;
    const meta = { source: 'orders', correlationId: 'c' };
    await handle(
      scope,
      checkEvent(
        buildEvent('order.placed', { orderId, userId, items: [{ productId: id, quantity: 1 }], aggregateVersion: 1 }, meta),
      ),
    );
    const rejected = buildEvent(
      'order.rejected',
      {
        orderId,
        userId,
        items: [{ productId: id, quantity: 1, name: 'P1', unitPrice: { amount: 100, currency: 'EUR' } }],
        total: { amount: 100, currency: 'EUR' },
        shippingAddress: { name: 'A', line1: 'Street 1', line2: null, postalCode: '1000', city: 'Town', country: 'BE' },
        reason: 'TIMED_OUT',
        aggregateVersion: 4,
      },
      meta,
    );
    await handle(scope, checkEvent(rejected));
    await handle(scope, checkEvent(rejected)); // a redelivery gives nothing back twice
    expect(await stockUpdates(id)).toEqual([
      [{ before: 1, after: 0 }, 'reservation'],
      [{ before: 0, after: 1 }, 'release'],
    ]);
  });
});
