import { startStack, type Stack } from '@little-ecom/e2e/harness';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { startStorefront, type Storefront } from './storefront.js';

export interface Shop {
  stack: Stack;
  storefront: Storefront;
  browser: Browser;
  close(): Promise<void>;
}

/** The whole system (gateway, four subgraphs, broker, mail) behind the built storefront, and a browser; `options` set orders' settings. */
export async function startShop(options: { orders?: { env?: Record<string, string> } } = {}): Promise<Shop> {
  const stack = await startStack({ mode: 'orders', ...options });
  const storefront = await startStorefront(stack.gatewayUrl);
  const browser = await launchBrowser();
  return {
    stack,
    storefront,
    browser,
    async close() {
      await browser.close();
      await storefront.close();
      await stack.close();
    },
  };
}

/** Signs up through the storefront's form and waits until the header shows the account. */
export async function signUp(page: Page, name: string, email: string, password: string) {
  await page.goto('/signup');
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
}
