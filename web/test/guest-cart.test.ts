import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [{ name: 'Copper pot', category: 'kitchen', amount: 6_500, stock: 20 }]);
});

afterAll(async () => {
  await shop?.close();
});

it('fills a cart logged out, keeps it across a reload, and brings it into the account at sign-up and at log-in', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  const addPots = async (quantity: string) => {
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('link', { name: 'Copper pot' }).click();
    await page.getByRole('spinbutton', { name: 'Quantity' }).fill(quantity);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
  };

  // Logged out: the guest cart.
  await page.goto('/');
  await addPots('2');
  await page.getByRole('link', { name: 'Cart (2)' }).waitFor();
  await page.reload();
  await page.getByRole('link', { name: 'Cart (2)' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
  expect(await page.getByRole('spinbutton', { name: 'Quantity for Copper pot' }).inputValue()).toBe('2');
  await expectAccessible(page, 'a guest cart');
  // Checking out asks who is buying.
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();

  // Signing up takes the cart along.
  const email = uniqueEmail('guest');
  await signUp(page, 'Gus Guest', email, password);
  await page.getByRole('link', { name: 'Cart (2)' }).click();
  expect(await page.getByRole('spinbutton', { name: 'Quantity for Copper pot' }).inputValue()).toBe('2');

  // Logged out again, one more as a guest; logging in sums it into the account's two.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).waitFor();
  await page.getByRole('link', { name: 'Cart', exact: true }).waitFor();
  await addPots('1');
  await page.getByRole('link', { name: 'Cart (1)' }).waitFor();
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Cart (3)' }).click();
  await expect.poll(() => page.getByRole('spinbutton', { name: 'Quantity for Copper pot' }).inputValue()).toBe('3');
});
