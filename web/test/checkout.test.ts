import { mailTo } from '@little-ecom/e2e/harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [
    { name: 'Linen apron', category: 'kitchen', amount: 2_450, stock: 10 },
    { name: 'Cast iron pan', category: 'kitchen', amount: 5_900, stock: 10 },
  ]);
});

afterAll(async () => {
  await shop?.close();
});

it('signs up, adds two products, checks out by invoice and watches the order get confirmed', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  const email = uniqueEmail('shopper');
  await page.goto('/signup');
  await expectAccessible(page, 'the sign-up page');
  await screenshots(page, 'signup');
  await signUp(page, 'Ada Shopper', email, password);

  // Two products, one of them twice. Navigation stays inside the app (links, not page loads), as a
  // shopper clicks; reloading is the session journey's subject.
  for (const [name, quantity] of [
    ['Linen apron', '2'],
    ['Cast iron pan', '1'],
  ] as const) {
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByRole('spinbutton', { name: 'Quantity' }).fill(quantity);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
  }
  await page.getByRole('link', { name: 'Cart (3)' }).click();

  // The cart: per-line quantity and removal, the subtotal from the server.
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
  expect(await page.getByRole('spinbutton', { name: 'Quantity for Linen apron' }).inputValue()).toBe('2');
  expect(await page.getByRole('button', { name: 'Remove Cast iron pan' }).isVisible()).toBe(true);
  await expect.poll(() => page.getByText('Subtotal').locator('..').textContent()).toMatch(/108[.,]00/);
  await expectAccessible(page, 'the cart');
  await screenshots(page, 'cart');

  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await page.getByRole('textbox', { name: 'Full name' }).fill('Ada Shopper');
  await page.getByRole('textbox', { name: 'Address line 1' }).fill('Hauptstraße 1');
  await page.getByRole('textbox', { name: 'Address line 2' }).fill('2. OG');
  await page.getByRole('textbox', { name: 'City' }).fill('Berlin');
  await page.getByRole('textbox', { name: 'Postal code' }).fill('10115');
  await page.getByRole('combobox', { name: 'Country' }).selectOption('DE');
  const payment = page.getByRole('group', { name: 'Payment method' });
  expect(await payment.getByRole('radio', { name: 'Invoice' }).isChecked()).toBe(true);
  await expectAccessible(page, 'the checkout');
  await screenshots(page, 'checkout');
  await page.getByRole('button', { name: 'Place order' }).click();

  // The order page follows the saga without a reload: Pending, then Confirmed.
  await page.getByRole('heading', { name: /Order/ }).waitFor();
  const url = page.url();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
  expect(page.url()).toBe(url);
  expect(await page.getByRole('listitem').filter({ hasText: 'Pending' }).count()).toBe(1);
  expect(await page.getByRole('button', { name: 'Cancel order' }).isVisible()).toBe(true);
  await expectAccessible(page, 'the order page');
  await screenshots(page, 'order');

  // The cart is empty now, and the order is in the account.
  expect(await page.getByRole('link', { name: 'Cart', exact: true }).isVisible()).toBe(true);
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('link', { name: /^Order / }).waitFor();
  await expectAccessible(page, 'the account page');
  await screenshots(page, 'account');

  // The confirmation email reached Mailpit.
  await expect.poll(async () => (await mailTo(email)).map((m) => m.Subject).join(' | '), { timeout: 30_000 }).toMatch(/confirm/i);
});
