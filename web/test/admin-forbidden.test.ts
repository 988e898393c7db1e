import { afterAll, beforeAll, expect, it } from 'vitest';
import { password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});

afterAll(async () => {
  await shop?.close();
});

it('keeps a customer out of the admin console', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Carl Customer', uniqueEmail('carl'), password);
  // No link to it for customers.
  expect(await page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);

  // Opening the address directly (a page load: the session comes back from the cookie) shows a refusal.
  await page.goto('/admin');
  await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
  expect(await page.getByRole('link', { name: 'New product' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Ship' }).count()).toBe(0);
  await expectAccessible(page, 'the admin refusal');

  // Logged out, the page asks for a log-in instead.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto('/admin');
  await page.getByRole('heading', { level: 1, name: 'Please log in' }).waitFor();
  expect(await page.getByRole('link', { name: 'New product' }).count()).toBe(0);
});
