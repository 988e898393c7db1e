import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, graphql, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage } from './support/browser.js';
import { startShop, type Shop } from './support/shop.js';

let shop: Shop;
let admin: string;
let placed: { id: string; token: string };

beforeAll(async () => {
  shop = await startShop();
  const { email, token } = await adminToken(shop.stack);
  admin = email;
  const [productId] = await createProducts(shop.stack, token, [
    { name: 'Wool blanket', category: 'home', amount: 8_900, stock: 5 },
  ]);
  // A customer's order, placed through the API (the saga confirms it in the background).
  const url = shop.stack.gatewayUrl;
  const { signUp } = await graphql<{ signUp: { accessToken: string } }>(
    url,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
    { input: { name: 'Bea Buyer', email: uniqueEmail('bea'), password } },
  );
  const customer = signUp.accessToken;
  await graphql(
    url,
    'mutation ($id: ID!) { addToCart(productId: $id, quantity: 1) { subtotal { amount } } }',
    { id: productId },
    customer,
  );
  const { checkout } = await graphql<{ checkout: { id: string } }>(
    url,
    'mutation ($input: CheckoutInput!) { checkout(input: $input) { id } }',
    {
      input: {
        idempotencyKey: `admin-orders-${Date.now()}`,
        shippingAddress: { name: 'Bea Buyer', line1: 'Rue 1', city: 'Lyon', postalCode: '69001', country: 'FR' },
      },
    },
    customer,
  );
  placed = { id: checkout.id, token: customer };
});

afterAll(async () => {
  await shop?.close();
});

it('lets an admin ship an order and record its payment', async () => {
  // The saga confirms the order first.
  const url = shop.stack.gatewayUrl;
  await expect
    .poll(
      async () =>
        (
          await graphql<{ order: { status: string } }>(
            url,
            'query ($id: ID!) { order(id: $id) { status } }',
            { id: placed.id },
            placed.token,
          )
        ).order.status,
      { timeout: 30_000 },
    )
    .toBe('CONFIRMED');
  const page = await newPage(shop.browser, shop.storefront.url);
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'Email' }).fill(admin);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Admin', exact: true }).click();

  const orders = page.getByRole('table', { name: 'Orders' });
  const row = orders.getByRole('row', { name: /Bea Buyer/ });
  await row.getByRole('button', { name: 'Ship' }).click();
  await expect.poll(() => row.getByRole('cell', { name: 'Shipped' }).count()).toBe(1);
  expect(await row.getByRole('button', { name: 'Ship' }).count()).toBe(0);

  await row.getByRole('button', { name: 'Mark paid' }).click();
  await expect.poll(() => row.getByRole('cell', { name: 'Paid', exact: true }).count()).toBe(1);
  expect(await row.getByRole('button', { name: 'Mark paid' }).count()).toBe(0);

  // The status filter finds it among the shipped orders and not among the pending ones.
  await page.getByRole('combobox', { name: 'Order status' }).selectOption({ label: 'Pending' });
  await page.getByText('No orders with status Pending.').waitFor();
  await page.getByRole('combobox', { name: 'Order status' }).selectOption({ label: 'Shipped' });
  await row.waitFor();
  await expectAccessible(page, 'the admin orders');
});
