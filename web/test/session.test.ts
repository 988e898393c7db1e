import { afterAll, beforeAll, expect, it } from 'vitest';
import { password, uniqueEmail } from './support/api.js';
import { newPage } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});

afterAll(async () => {
  await shop?.close();
});

it('ends the session on log-out', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Lou Leaving', uniqueEmail('lou'), password);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
  expect(await page.getByRole('link', { name: 'Account', exact: true }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);

  // A fresh page load finds no session either (the cookie is gone with it).
  await page.goto('/account');
  await page.getByRole('heading', { level: 1, name: 'Please log in' }).waitFor();
  expect(await page.getByRole('link', { name: 'Account', exact: true }).count()).toBe(0);
});

it('keeps the session across a reload, from the HttpOnly cookie', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Rita Reload', uniqueEmail('rita'), password);
  await page.reload();
  await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();

  // Script never sees the refresh token: the cookie is HttpOnly, and nothing is in storage.
  expect(await page.evaluate(() => document.cookie)).toBe('');
  expect(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length)).toBe(0);

  // Log-out clears it: the next load is anonymous.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
  await page.reload();
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
  expect(await page.getByRole('link', { name: 'Account', exact: true }).count()).toBe(0);
});
