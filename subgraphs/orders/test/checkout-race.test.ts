import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScope } from '@little-ecom/scope';
import { silentLogger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { createCartService } from '../src/cart/cart.service.js';
import { invoicePaymentProvider } from '../src/orders/payment.js';
import { createOrderService } from '../src/orders/order.service.js';
import { createServices } from '../src/services.js';

// Two checkouts with one idempotency key (a double click, a retried request): both answer with the
// one order. The interleaving that broke it is forced here: the second looks the key up before the
// first has placed its order, and reads the cart after the first emptied it.
let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase('orders_checkout_race');
});
afterAll(async () => database?.drop());

it('answers a checkout that lost the race for its key with the order, not "the cart is empty"', async () => {
  const services = createServices(database.db, { payment: invoicePaymentProvider });
  await ensureIndexes(database.db, services.indexes);
  const productId = '65a1b2c3d4e5f60718293a4b';
  await services.repositories.catalog.apply(
    productId,
    1,
    {},
    { name: 'Lamp', price: { amount: 4_900, currency: 'EUR' }, stock: 5, deleted: false },
  );
  const scope = createScope({
    logger: silentLogger,
    auth: {
      viewer: { userId: 'race-user', role: 'CUSTOMER', tokenId: 'race-token', sessionId: 'race-session' },
      authError: null,
    },
  });
  await services.carts.add(scope, productId, 1);

  // The second checkout's first look-up of the key waits until the first checkout has finished.
  let firstDone!: () => void;
  const firstFinished = new Promise<void>((resolve) => (firstDone = resolve));
  let lookups = 0;
  const orders = {
    ...services.repositories.orders,
    async findByIdempotencyKey(userId: string, key: string) {
      const result = await services.repositories.orders.findByIdempotencyKey(userId, key);
      if (++lookups === 1) await firstFinished;
      return result;
    },
  };
  const carts = createCartService({ carts: services.repositories.carts, catalog: services.repositories.catalog });
  const racing = createOrderService({
    orders,
    carts,
    addresses: services.addresses,
    pricing: services.pricing,
    payment: invoicePaymentProvider,
  });
  const address = { name: 'Ada', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' };
  const key = randomUUID();

  const second = racing.checkout(scope, { idempotencyKey: key, shippingAddress: address });
  const first = await services.orders.checkout(scope, { idempotencyKey: key, shippingAddress: address });
  firstDone();
  expect((await second)._id).toBe(first._id);
  expect(await database.db.collection('orders').countDocuments({ userId: 'race-user' })).toBe(1);
});
