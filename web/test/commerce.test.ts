import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  // One open unpaid order per customer, so the cap shows at the second checkout.
  shop = await startShop({ orders: { env: { ORDER_MAX_OPEN_UNPAID: '1' } } });
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [
    { name: 'Harbour sloop', category: 'outdoor', amount: 900_000_000, stock: 5 },
    { name: 'Diner mug', category: 'kitchen', amount: 1_200, stock: 5, currency: 'USD' },
    { name: 'Enamel jug', category: 'kitchen', amount: 1_500, stock: 10 },
  ]);
});

afterAll(async () => {
  await shop?.close();
});

/** Opens the product from the catalog and adds `quantity` of it, as a shopper clicks. */
async function add(page: Page, name: string, quantity: string) {
  await page.getByRole('link', { name: 'Shop' }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByRole('spinbutton', { name: 'Quantity' }).fill(quantity);
  await page.getByRole('button', { name: 'Add to cart' }).click();
}

/** From the cart to "Place order", by invoice. */
async function placeOrder(page: Page) {
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await page.getByRole('textbox', { name: 'Full name' }).fill('Nia Holder');
  await page.getByRole('textbox', { name: 'Address line 1' }).fill('Hauptstraße 1');
  await page.getByRole('textbox', { name: 'City' }).fill('Berlin');
  await page.getByRole('textbox', { name: 'Postal code' }).fill('10115');
  await page.getByRole('combobox', { name: 'Country' }).selectOption('DE');
  await page.getByRole('button', { name: 'Place order' }).click();
}

it('shows an exact subtotal beyond 32 bits and keeps a product in another currency out of the cart', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Max Spender', uniqueEmail('spender'), password);

  // 3 × 9,000,000.00 EUR = 2,700,000,000 minor units: an Int would overflow.
  await add(page, 'Harbour sloop', '3');
  await page.getByText('Added to your cart.').waitFor();

  // The mug is priced in USD: refused with the server's message, and the cart keeps its one currency.
  await add(page, 'Diner mug', '1');
  await page.getByRole('alert').filter({ hasText: 'This cart is in EUR; Diner mug is priced in USD.' }).waitFor();

  await page.getByRole('link', { name: 'Cart (3)' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
  expect(await page.getByRole('button', { name: 'Remove Harbour sloop' }).isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Remove Diner mug' }).count()).toBe(0);
  await expect.poll(() => page.getByText('Subtotal').locator('..').textContent()).toMatch(/27[.,\s]?000[.,\s]?000[.,]00/);
});

it('refuses a checkout beyond the open unpaid orders a customer may hold, and takes it once one is cancelled', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Nia Holder', uniqueEmail('holder'), password);
  await add(page, 'Enamel jug', '1');
  await page.getByText('Added to your cart.').waitFor();
  await placeOrder(page);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
  const first = page.url();

  // A second order while the first is unpaid: refused with the server's reason, the cart kept.
  await add(page, 'Enamel jug', '2');
  await page.getByText('Added to your cart.').waitFor();
  await placeOrder(page);
  await page
    .getByRole('alert')
    .filter({ hasText: 'You have 1 unpaid order; pay or cancel one before placing another' })
    .waitFor();

  // Cancelling the first frees the hold; the same cart then goes through.
  await page.goto(first);
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Cancelled');
  await placeOrder(page);
  await page.getByRole('heading', { name: /Order/ }).waitFor();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
  expect(page.url()).not.toBe(first);
});

it('offers the shipping methods of the destination, shows shipping and VAT computed by the server, and keeps them on the order', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Pia Express', uniqueEmail('express'), password);
  await add(page, 'Enamel jug', '2');
  await page.getByText('Added to your cart.').waitFor();
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await page.getByRole('textbox', { name: 'Full name' }).fill('Pia Express');
  await page.getByRole('textbox', { name: 'Address line 1' }).fill('1 Rue de Rivoli');
  await page.getByRole('textbox', { name: 'City' }).fill('Paris');
  await page.getByRole('textbox', { name: 'Postal code' }).fill('75001');
  await page.getByRole('combobox', { name: 'Country' }).selectOption('FR');

  // France: Standard or Express; the cheapest is chosen until the shopper picks another.
  const methods = page.getByRole('group', { name: 'Shipping method' });
  const express = methods.getByRole('radio', { name: /^Express: €19\.90, 2–3 business days$/ });
  await express.waitFor();
  expect(await methods.getByRole('radio', { name: /^Standard: €9\.90/ }).isChecked()).toBe(true);
  await express.check();
  // 30.00 + 19.90 = 49.90, VAT 20% included: 8.32.
  const summary = page.getByRole('region', { name: 'Order summary' });
  await summary.getByText('Shipping (Express, 2–3 business days)').waitFor();
  await expect.poll(() => summary.getByText('Tax included (VAT 20%)').locator('..').textContent()).toMatch(/8[.,]32/);
  await expect.poll(() => summary.getByText('Total', { exact: true }).locator('..').textContent()).toMatch(/49[.,]90/);
  await expectAccessible(page, 'the checkout with shipping methods');
  await screenshots(page, 'checkout-shipping');

  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: /Order/ }).waitFor();
  await page.getByText('Shipping (Express, 2–3 business days)').waitFor();
  await expect.poll(() => page.getByText('Total', { exact: true }).locator('..').textContent()).toMatch(/49[.,]90/);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
});
