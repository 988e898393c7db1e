import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [{ name: 'Brass kettle', category: 'kitchen', amount: 3_900, stock: 10 }]);
});

afterAll(async () => {
  await shop?.close();
});

it('saves the address of a first checkout, offers it at the next one, and lets the account delete it', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Ola Saver', uniqueEmail('saver'), password);
  const buyKettle = async () => {
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('link', { name: 'Brass kettle' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  };

  // First checkout: nothing saved yet, so the address form, and "Save this address".
  await buyKettle();
  await page.getByRole('textbox', { name: 'Full name' }).fill('Ola Saver');
  await page.getByRole('textbox', { name: 'Address line 1' }).fill('Karl Johans gate 1');
  await page.getByRole('textbox', { name: 'City' }).fill('Oslo');
  await page.getByRole('textbox', { name: 'Postal code' }).fill('0154');
  await page.getByRole('combobox', { name: 'Country' }).selectOption('NO');
  await page.getByRole('checkbox', { name: 'Save this address' }).check();
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');

  // Second checkout: the saved address is chosen already; no typing.
  await buyKettle();
  const where = page.getByRole('group', { name: 'Shipping address' });
  const saved = where.getByRole('radio', { name: 'Ola Saver, Karl Johans gate 1, 0154 Oslo, NO' });
  await saved.waitFor();
  expect(await saved.isChecked()).toBe(true);
  expect(await page.getByRole('textbox', { name: 'Address line 1' }).count()).toBe(0);
  await expectAccessible(page, 'the checkout with a saved address');
  await screenshots(page, 'checkout-saved-address');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
  await page.getByText('Karl Johans gate 1').first().waitFor();

  // The account lists it as the default and deletes it.
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  const book = page.getByRole('region', { name: 'Addresses' });
  await book.getByText('Ola Saver, Karl Johans gate 1, 0154 Oslo, NO').waitFor();
  await book.getByText('(default)').waitFor();
  await book.getByRole('button', { name: 'Delete Ola Saver, Karl Johans gate 1, 0154 Oslo, NO' }).click();
  await book.getByText('No saved addresses.', { exact: false }).waitFor();
});
