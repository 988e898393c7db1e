import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts, password, uniqueEmail } from './support/api.js';
import { newPage } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  await createProducts(shop.stack, token, [{ name: 'Beeswax candle', category: 'home', amount: 1_500, stock: 9 }]);
});

afterAll(async () => {
  await shop?.close();
});

/** Presses Tab until `target` has the focus, as a keyboard user moves through the page. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

it('checks out with the keyboard alone', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await signUp(page, 'Kim Keys', uniqueEmail('kim'), password);

  await tabTo(page, page.getByRole('link', { name: 'Shop' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('link', { name: 'Beeswax candle' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Beeswax candle' }).waitFor();
  await tabTo(page, page.getByRole('spinbutton', { name: 'Quantity' }));
  await page.keyboard.press('ArrowUp');
  await tabTo(page, page.getByRole('button', { name: 'Add to cart' }));
  await page.keyboard.press('Enter');
  await page.getByText('Added to your cart.').waitFor();

  await tabTo(page, page.getByRole('link', { name: 'Cart (2)' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Checkout' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();

  for (const [name, text] of [
    ['Address line 1', 'Storgatan 5'],
    ['City', 'Stockholm'],
    ['Postal code', '111 22'],
  ] as const) {
    await tabTo(page, page.getByRole('textbox', { name }));
    await page.keyboard.type(text);
  }
  await tabTo(page, page.getByRole('combobox', { name: 'Country' }));
  await page.keyboard.type('Sweden');
  expect(await page.getByRole('combobox', { name: 'Country' }).inputValue()).toBe('SE');
  await tabTo(page, page.getByRole('button', { name: 'Place order' }));
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { name: /Order/ }).waitFor();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Confirmed');
});
