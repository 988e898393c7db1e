import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, privateRabbitMq, type PrivateRabbitMq } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';
import { orderClient } from './orders-support.js';

/**
 * The order saga survives a broker restart in the middle of a checkout storm: every order ends
 * CONFIRMED or REJECTED, and the stock held equals what the confirmed orders hold. Runs on a private
 * RabbitMQ node (the shared broker is never restarted); takes about a minute, most of it the node
 * starting twice.
 */
let broker: PrivateRabbitMq;
let stack: Stack;
let c: ReturnType<typeof orderClient>;

beforeAll(async () => {
  broker = await privateRabbitMq();
  await broker.start();
  stack = await startStack({ mode: 'orders', amqpUrl: broker.url });
  c = orderClient(stack);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await broker?.dispose();
}, 60_000);

it('leaves no order PENDING and no unit leaked after a broker restart mid-storm', async () => {
  const admin = await c.adminToken();
  const lamp = await c.createProduct(admin, 10);
  const customers = await Promise.all(Array.from({ length: 16 }, (_, i) => c.signUp(`restart${i}`)));
  await Promise.all(customers.map((u) => c.addToCart(u.token, lamp, 1)));

  // Half the checkouts, the restart while their events are in flight, then the other half during recovery.
  const first = await Promise.all(customers.slice(0, 8).map(async (u) => ({ u, order: await c.checkout(u.token) })));
  const restarted = broker.restart();
  const second = await Promise.all(customers.slice(8).map(async (u) => ({ u, order: await c.checkout(u.token) })));
  await restarted;
  const orders = [...first, ...second];

  const statuses = await Promise.all(orders.map(({ u, order }) => c.settled(u.token, order.id, 90_000)));
  expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(10);
  expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(6);
  expect(await c.stockOf(admin, lamp)).toEqual({ stock: 0, reserved: 10, inStock: false });

  // Cancelling every confirmed order gives back exactly the ten units.
  const confirmed = orders.filter((_, i) => statuses[i] === 'CONFIRMED');
  for (const { u, order } of confirmed)
    await c.gql(`mutation($id: ID!) { cancelOrder(id: $id) { status } }`, { id: order.id }, u.token);
  await eventually(async () => ((await c.stockOf(admin, lamp)).reserved === 0 ? true : undefined), 30_000);
  expect(await c.stockOf(admin, lamp)).toEqual({ stock: 10, reserved: 0, inStock: true });
}, 240_000);
