import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { newPage } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [{ name: 'Sold-out teapot', category: 'kitchen', amount: 3_200, stock: 0 }]);
});

afterAll(async () => {
  await shop?.close();
});

it('shows a sold-out product as such and does not let it be added to the cart', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Otto Late', uniqueEmail('late'), password);
  await page.getByRole('link', { name: 'Shop' }).click();
  const card = page.getByRole('article', { name: 'Sold-out teapot' });
  await card.getByText('Out of stock').waitFor();

  await card.getByRole('link', { name: 'Sold-out teapot' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sold-out teapot' }).waitFor();
  expect(await page.getByRole('button', { name: 'Add to cart' }).isDisabled()).toBe(true);
  expect(await page.getByRole('spinbutton', { name: 'Quantity' }).isDisabled()).toBe(true);

  // Nothing reached the cart.
  await page.getByRole('link', { name: 'Cart', exact: true }).click();
  await page.getByText('Your cart is empty.').waitFor();
});
