import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;
let admin: string;

beforeAll(async () => {
  shop = await startShop();
  admin = (await adminToken(shop.stack)).email;
});

afterAll(async () => {
  await shop?.close();
});

it('lets an admin create a product that a customer then finds', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await page.goto('/login');
  await expectAccessible(page, 'the log-in page');
  await screenshots(page, 'login');
  await page.getByRole('textbox', { name: 'Email' }).fill(admin);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();

  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
  await page.getByText('No products yet.').waitFor();
  await expectAccessible(page, 'the admin console');

  await page.getByRole('link', { name: 'New product' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Stoneware mug');
  await page.getByRole('textbox', { name: 'Description' }).fill('Glazed by hand, 350 ml.');
  await page.getByRole('textbox', { name: 'Price' }).fill('12.50');
  await page.getByRole('spinbutton', { name: 'Stock' }).fill('7');
  await page.getByRole('textbox', { name: 'Category' }).fill('kitchen');
  await expectAccessible(page, 'the product form');
  await screenshots(page, 'admin-product-form');
  await page.getByRole('button', { name: 'Save' }).click();

  // Back on the console, the product is listed with its price and stock.
  const row = page.getByRole('row', { name: /Stoneware mug/ });
  await row.waitFor();
  expect(await row.textContent()).toMatch(/12[.,]50/);
  await expectAccessible(page, 'the admin console with a product');
  await screenshots(page, 'admin');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();

  // A customer, in a browser of their own, finds it by searching.
  const customer = await newPage(shop.browser, shop.storefront.url);
  await signUp(customer, 'Cora Customer', uniqueEmail('cora'), password);
  await customer.getByRole('link', { name: 'Shop' }).click();
  await customer.getByRole('searchbox', { name: 'Search products' }).fill('mug');
  await customer.getByRole('searchbox', { name: 'Search products' }).press('Enter');
  const card = customer.getByRole('article', { name: 'Stoneware mug' });
  await card.waitFor();
  expect(await card.textContent()).toMatch(/12[.,]50/);
  expect(await customer.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
});
