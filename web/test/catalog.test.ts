import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, createProducts } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { startShop, type Shop } from './support/shop.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
  const { token } = await adminToken(shop.stack);
  // 14 products: more than one page of 12; two categories; one sold out.
  await createProducts(shop.stack, token, [
    ...Array.from({ length: 10 }, (_, i) => ({
      name: `Oak desk ${i + 1}`,
      category: 'desks',
      amount: 10_000 + i * 1_000,
      stock: 5,
    })),
    { name: 'Walnut desk lamp', category: 'lamps', amount: 4_950, stock: 3 },
    { name: 'Brass floor lamp', category: 'lamps', amount: 12_900, stock: 2 },
    { name: 'Paper lamp', category: 'lamps', amount: 1_999, stock: 0 },
    { name: 'Walnut shelf', category: 'shelves', amount: 7_500, stock: 4 },
  ]);
});

afterAll(async () => {
  await shop?.close();
});

it('browses, searches, filters, sorts and pages through the catalog', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await page.goto('/');
  const products = page.getByRole('article');
  await expect.poll(() => products.count()).toBe(12);
  await expect.poll(() => page.getByText('14 products').isVisible()).toBe(true);
  await expectAccessible(page, 'the catalog');
  await screenshots(page, 'catalog');

  // Paging: the second page holds the last two, and back again.
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect.poll(() => products.count()).toBe(2);
  expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect.poll(() => products.count()).toBe(12);

  // Search matches names and descriptions.
  await page.getByRole('searchbox', { name: 'Search products' }).fill('walnut');
  await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
  await expect.poll(() => products.count()).toBe(2);
  expect(await page.getByRole('link', { name: 'Walnut desk lamp' }).isVisible()).toBe(true);
  expect(await page.getByRole('link', { name: 'Walnut shelf' }).isVisible()).toBe(true);

  // Category filter, combined with the search, then alone, sorted by price.
  await page.getByRole('combobox', { name: 'Category' }).selectOption('lamps');
  await expect.poll(() => products.count()).toBe(1);
  await page.getByRole('searchbox', { name: 'Search products' }).fill('');
  await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
  await expect.poll(() => products.count()).toBe(3);
  await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Price: low to high' });
  await expect
    .poll(async () => (await page.getByRole('article').getByRole('link').allTextContents()).join(', '))
    .toBe('Paper lamp, Walnut desk lamp, Brass floor lamp');

  // The sold-out one says so, and its price is formatted from minor units.
  const paper = page.getByRole('article', { name: 'Paper lamp' });
  expect(await paper.getByText('Out of stock').isVisible()).toBe(true);
  expect(await paper.textContent()).toMatch(/19[.,]99/);
  await expectAccessible(page, 'the filtered catalog');

  // Facets: each category's count, and the price bands of the chosen category.
  const category = page.getByRole('combobox', { name: 'Category' });
  const price = page.getByRole('combobox', { name: 'Price' });
  const options = (box: typeof price) => box.locator('option').allTextContents();
  await expect.poll(() => options(category)).toEqual(['All categories', 'desks (10)', 'lamps (3)', 'shelves (1)']);
  await expect
    .poll(() => options(price))
    .toEqual([
      'Any price',
      'Under €10.00 (0)',
      '€10.00 – €24.99 (1)',
      '€25.00 – €49.99 (1)',
      '€50.00 – €99.99 (0)',
      '€100.00 and more (1)',
    ]);
  await price.selectOption({ label: '€100.00 and more (1)' });
  await expect
    .poll(async () => (await page.getByRole('article').getByRole('link').allTextContents()).join(', '))
    .toBe('Brass floor lamp');
  // The categories now count what costs 100 and more: shelves has none and drops out.
  await expect.poll(() => options(category)).toEqual(['All categories', 'desks (10)', 'lamps (1)']);
  await category.selectOption('');
  await expect.poll(() => products.count()).toBe(11);
  await price.selectOption('');
  await category.selectOption('lamps');
  await expect.poll(() => products.count()).toBe(3);

  // A product's page from its link.
  await page.getByRole('link', { name: 'Walnut desk lamp' }).click();
  await page.getByRole('heading', { level: 1, name: 'Walnut desk lamp' }).waitFor();
  await expectAccessible(page, 'a product page');
  await screenshots(page, 'product');
});
