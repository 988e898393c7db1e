import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent, publishOptions } from '@little-ecom/events';
import { eventually } from '@little-ecom/testing';
import { mailTo, startStack, type Stack } from './harness.js';
import { orderClient } from './orders-support.js';

/**
 * Carts, checkout and the stock saga through the gateway: accounts, products, orders and
 * notifications on their own databases, events over a private copy of the topology on the real
 * broker. Nothing is mocked.
 */
let stack: Stack;
let c: ReturnType<typeof orderClient>;
let admin: string;

beforeAll(async () => {
  stack = await startStack({ mode: 'orders' });
  c = orderClient(stack);
  admin = await c.adminToken();
}, 90_000);

afterAll(async () => stack?.close());

describe('orders through the gateway', () => {
  it('takes a cart through checkout, confirmation at products prices, shipping and payment; order and product in one query', async () => {
    const ada = await c.signUp('ada');
    const lamp = await c.createProduct(admin, 5, 2_500);
    await c.addToCart(ada.token, lamp, 2);
    const cart = await c.gql<{
      me: { cart: { items: { quantity: number; product: { id: string; stock: number } }[]; subtotal: { amount: number } } };
    }>(`query { me { cart { items { quantity product { id stock } } subtotal { amount } } } }`, {}, ada.token);
    expect(cart.me.cart).toEqual({ items: [{ quantity: 2, product: { id: lamp, stock: 5 } }], subtotal: { amount: 5_000 } });

    const placed = await c.checkout(ada.token);
    // Standard shipping to Germany (4.90) on top of the goods; VAT is included in both.
    expect(placed).toMatchObject({ status: 'PENDING', total: { amount: 5_490, currency: 'EUR' } });
    expect(await c.settled(ada.token, placed.id)).toBe('CONFIRMED');

    // accounts (me) -> orders (orders, items) -> products (product name, stock) in one request.
    const { me } = await c.gql<{ me: { orders: { edges: { node: Record<string, unknown> }[] } } }>(
      `query { me { email orders(first: 5) { totalCount edges { node { id status total { amount currency } subtotal { amount }
        shipping { amount } tax { amount }
        items { quantity unitPrice { amount } product { id name stock reserved inStock } }
        statusHistory { status } payment { status } } } } } }`,
      {},
      ada.token,
    );
    expect(me.orders.edges.map((e) => e.node)).toEqual([
      {
        id: placed.id,
        status: 'CONFIRMED',
        total: { amount: 5_490, currency: 'EUR' },
        subtotal: { amount: 5_000 },
        shipping: { amount: 490 },
        tax: { amount: 877 },
        items: [
          {
            quantity: 2,
            unitPrice: { amount: 2_500 },
            product: expect.objectContaining({ id: lamp, stock: 3, reserved: 2, inStock: true }) as unknown,
          },
        ],
        statusHistory: [{ status: 'PENDING' }, { status: 'CONFIRMED' }],
        payment: { status: 'DUE' },
      },
    ]);

    const ship = `mutation($id: ID!) { shipOrder(id: $id) { status } }`;
    expect((await c.raw(ship, { id: placed.id }, ada.token)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await c.gql(ship, { id: placed.id }, admin)).toEqual({ shipOrder: { status: 'SHIPPED' } });
    await eventually(async () => ((await c.stockOf(admin, lamp)).reserved === 0 ? true : undefined), 20_000);
    expect(await c.stockOf(admin, lamp)).toEqual({ stock: 3, reserved: 0, inStock: true });
    expect(await c.gql(`mutation($id: ID!) { markOrderPaid(id: $id) { payment { status } } }`, { id: placed.id }, admin)).toEqual(
      {
        markOrderPaid: { payment: { status: 'PAID' } },
      },
    );
    // Shipped orders are not cancellable: the units are gone.
    const cancel = await c.raw(`mutation($id: ID!) { cancelOrder(id: $id) { status } }`, { id: placed.id }, ada.token);
    expect(cancel.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('places one order for an idempotency key sent twice at once', async () => {
    const bea = await c.signUp('bea');
    const lamp = await c.createProduct(admin, 3);
    await c.addToCart(bea.token, lamp, 1);
    const key = randomUUID();
    const [a, b] = await Promise.all([c.checkout(bea.token, key), c.checkout(bea.token, key)]);
    expect(a.id).toBe(b.id);
    expect(await c.settled(bea.token, a.id)).toBe('CONFIRMED');
    expect((await c.checkout(bea.token, key)).id).toBe(a.id);
    const { me } = await c.gql<{ me: { orders: { totalCount: number } } }>(
      `query { me { orders { totalCount } } }`,
      {},
      bea.token,
    );
    expect(me.orders.totalCount).toBe(1);
    expect((await c.stockOf(admin, lamp)).stock).toBe(2);
  });

  it('sells exactly the stock: 20 concurrent one-unit checkouts against 5 units -> 5 CONFIRMED, 15 REJECTED', async () => {
    const lamp = await c.createProduct(admin, 5);
    const customers = await Promise.all(Array.from({ length: 20 }, (_, i) => c.signUp(`storm${i}`)));
    await Promise.all(customers.map((u) => c.addToCart(u.token, lamp, 1)));
    const orders = await Promise.all(customers.map(async (u) => ({ u, order: await c.checkout(u.token) })));
    const statuses = await Promise.all(orders.map(({ u, order }) => c.settled(u.token, order.id, 60_000)));
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(15);
    expect(await c.stockOf(admin, lamp)).toEqual({ stock: 0, reserved: 5, inStock: false });
    // Exactly five reservations were ever made and fifteen refused: no unit was taken twice or below zero.
    const logged = (msg: string) =>
      stack.logs['products']!.filter((l) => l['msg'] === msg && orders.some((o) => o.order.id === l['orderId'])).length;
    expect([logged('order stock reserved'), logged('order stock rejected')]).toEqual([5, 15]);
    const rejected = await c.gql<{ order: { rejectionReason: string } }>(
      `query($id: ID!) { order(id: $id) { rejectionReason } }`,
      { id: orders[statuses.indexOf('REJECTED')]!.order.id },
      admin,
    );
    expect(rejected.order.rejectionReason).toBe('INSUFFICIENT_STOCK');
  }, 120_000);

  it('reserves nothing for a multi-line order when one line lacks stock', async () => {
    const cy = await c.signUp('cy');
    const [plenty, scarce] = [await c.createProduct(admin, 10), await c.createProduct(admin, 1)];
    await c.addToCart(cy.token, plenty, 3);
    await c.addToCart(cy.token, scarce, 2);
    const order = await c.checkout(cy.token);
    expect(await c.settled(cy.token, order.id)).toBe('REJECTED');
    expect(await c.stockOf(admin, plenty)).toEqual({ stock: 10, reserved: 0, inStock: true });
    expect(await c.stockOf(admin, scarce)).toEqual({ stock: 1, reserved: 0, inStock: true });
  });

  it('releases a cancelled order stock once, even when the cancel is delivered again', async () => {
    const dee = await c.signUp('dee');
    const lamp = await c.createProduct(admin, 4);
    await c.addToCart(dee.token, lamp, 3);
    const order = await c.checkout(dee.token);
    expect(await c.settled(dee.token, order.id)).toBe('CONFIRMED');
    expect((await c.stockOf(admin, lamp)).stock).toBe(1);
    const { cancelOrder } = await c.gql<{ cancelOrder: { status: string } }>(
      `mutation($id: ID!) { cancelOrder(id: $id) { status } }`,
      { id: order.id },
      dee.token,
    );
    expect(cancelOrder.status).toBe('CANCELLED');
    await eventually(async () => ((await c.stockOf(admin, lamp)).stock === 4 ? true : undefined), 20_000);

    // The same cancel again, twice, as a redelivery would bring it.
    const { exchange, amqpUrl } = stack.events;
    const again = buildEvent(
      'order.cancelled',
      {
        orderId: order.id,
        userId: dee.userId,
        // As orders wrote it: the lines as reserved (createProduct's default price), total and address.
        items: [{ productId: lamp, quantity: 3, name: 'Order Lamp', unitPrice: { amount: 1_000, currency: 'EUR' } }],
        total: { amount: 3_000, currency: 'EUR' },
        shippingAddress: { name: 'Ada', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
        previousStatus: 'CONFIRMED',
        aggregateVersion: 3,
      },
      { source: 'orders', correlationId: randomUUID() },
    );
    const connection = await amqp.connect(amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      for (let i = 0; i < 2; i++)
        channel.publish(exchange, 'order.cancelled', Buffer.from(JSON.stringify(again)), publishOptions(again));
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const handled = () => stack.logs['products']!.filter((l) => l['msg'] === 'event handled' && l['eventId'] === again.id).length;
    await eventually(async () => (handled() === 2 ? true : undefined), 20_000);
    expect(await c.stockOf(admin, lamp)).toEqual({ stock: 4, reserved: 0, inStock: true });
  });

  it('charges products prices whatever the client sends, and keeps my order from other customers', async () => {
    const eve = await c.signUp('eve');
    const mallory = await c.signUp('mallory');
    const lamp = await c.createProduct(admin, 5, 7_000);
    await c.addToCart(eve.token, lamp, 1);
    // No price field exists in any input: a client that sends one is refused before anything runs.
    const forged = await c.raw(
      `mutation { checkout(input: { idempotencyKey: "forged-price-1", unitPrice: { amount: 1, currency: "EUR" },
        shippingAddress: { name: "E", line1: "1", city: "B", postalCode: "1", country: "DE" } }) { id } }`,
      {},
      eve.token,
    );
    expect(forged.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const order = await c.checkout(eve.token);
    expect(await c.settled(eve.token, order.id)).toBe('CONFIRMED');
    const { order: mine } = await c.gql<{ order: { total: { amount: number } } }>(
      `query($id: ID!) { order(id: $id) { total { amount } } }`,
      { id: order.id },
      eve.token,
    );
    expect(mine.total.amount).toBe(7_000 + 490);

    expect(await c.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: order.id }, mallory.token)).toEqual({ order: null });
    const cancel = await c.raw(`mutation($id: ID!) { cancelOrder(id: $id) { status } }`, { id: order.id }, mallory.token);
    expect(cancel.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const theirs = await c.gql<{ me: { orders: { totalCount: number } } }>(
      `query { me { orders { totalCount } } }`,
      {},
      mallory.token,
    );
    expect(theirs.me.orders.totalCount).toBe(0);
    expect(await c.orderStatus(eve.token, order.id)).toBe('CONFIRMED');
  });

  it('mails the order emails exactly once, and shows them in me.notifications with the order resolved', async () => {
    const fay = await c.signUp('fay');
    const [lamp, scarce] = [await c.createProduct(admin, 5, 1_250), await c.createProduct(admin, 0)];
    await c.addToCart(fay.token, lamp, 2);
    const kept = await c.checkout(fay.token);
    expect(await c.settled(fay.token, kept.id)).toBe('CONFIRMED');
    await c.gql(`mutation($id: ID!) { shipOrder(id: $id) { status } }`, { id: kept.id }, admin);
    await c.addToCart(fay.token, lamp, 1);
    const dropped = await c.checkout(fay.token);
    expect(await c.settled(fay.token, dropped.id)).toBe('CONFIRMED');
    await c.gql(`mutation($id: ID!) { cancelOrder(id: $id) { status } }`, { id: dropped.id }, fay.token);
    // A product with no stock is refused at reservation, not in the cart (stock is only a hint there).
    await c.addToCart(fay.token, scarce, 1);
    const refused = await c.checkout(fay.token);
    expect(await c.settled(fay.token, refused.id)).toBe('REJECTED');

    const expected = [
      `Order ${kept.id.slice(0, 8)} confirmed`,
      `Order ${kept.id.slice(0, 8)} shipped`,
      `Order ${dropped.id.slice(0, 8)} confirmed`,
      `Order ${dropped.id.slice(0, 8)} cancelled`,
      `Order ${refused.id.slice(0, 8)} could not be placed`,
    ].sort();
    const orderMail = async () =>
      (await mailTo(fay.email))
        .map((m) => m.Subject)
        .filter((s) => s.startsWith('Order '))
        .sort();
    await eventually(async () => ((await orderMail()).length >= expected.length ? true : undefined), 30_000);
    // Bounded grace for a duplicate to show up if one were coming.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await orderMail()).toEqual(expected);

    const { me } = await c.gql<{
      me: { notifications: { edges: { node: { kind: string; order: { id: string; status: string } | null } }[] } };
    }>(`query { me { notifications(first: 10) { edges { node { kind order { id status } } } } } }`, {}, fay.token);
    const byKind = me.notifications.edges.map((e) => e.node).filter((n) => n.kind.startsWith('ORDER_'));
    expect(byKind).toHaveLength(5);
    expect(byKind).toContainEqual({ kind: 'ORDER_SHIPPED', order: { id: kept.id, status: 'SHIPPED' } });
    expect(byKind).toContainEqual({ kind: 'ORDER_CANCELLED', order: { id: dropped.id, status: 'CANCELLED' } });
    expect(byKind).toContainEqual({ kind: 'ORDER_REJECTED', order: { id: refused.id, status: 'REJECTED' } });
  });
});
