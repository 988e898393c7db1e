import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, graphql } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { signUp, startShop, type Shop } from './support/shop.js';
import { password, uniqueEmail } from './support/api.js';

let shop: Shop;
let admin: { email: string; secret: string };

/** The code an authenticator app shows `steps` periods from now. */
function code(secret: string, steps = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + steps * 30_000 });
}

/**
 * Waits, when less than 10 s of the current 30-s step remain, for the next one: a previous-step code
 * is accepted only while the step it was made in is still the current one, even on a loaded machine.
 */
async function freshStep(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

beforeAll(async () => {
  shop = await startShop();
  // An admin with a second factor, enrolled through the API.
  const { email, token } = await adminToken(shop.stack);
  const { startTotpEnrollment } = await graphql<{ startTotpEnrollment: { secret: string } }>(
    shop.stack.gatewayUrl,
    'mutation ($password: String!) { startTotpEnrollment(password: $password) { secret } }',
    { password },
    token,
  );
  // Confirmed with the previous step's code (accepted: one step of clock drift), so the current
  // step's code is still unused for the log-in below.
  await freshStep();
  await graphql(
    shop.stack.gatewayUrl,
    'mutation ($code: String!) { confirmTotpEnrollment(code: $code) }',
    { code: code(startTotpEnrollment.secret, -1) },
    token,
  );
  admin = { email, secret: startTotpEnrollment.secret };
});

afterAll(async () => {
  await shop?.close();
});

it('logs a TOTP admin in with the code from the authenticator app', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'Email' }).fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();

  // The API answers TOTP_REQUIRED: the form asks for the code instead of failing.
  const codeBox = page.getByRole('textbox', { name: 'Authentication code' });
  await codeBox.waitFor();
  expect(await page.getByRole('alert').count()).toBe(0);
  await expectAccessible(page, 'the log-in page asking for a code');
  await screenshots(page, 'login-totp');

  // A wrong code is refused with the server's message, then the right one logs in.
  await codeBox.fill('000000');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await codeBox.fill(code(admin.secret));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('link', { name: 'New product' }).waitFor();
});

it('lets a customer set up two-factor authentication with the password, log in with a code and turn it off', async () => {
  const page = await newPage(shop.browser, shop.storefront.url);
  const email = uniqueEmail('totp-customer');
  await signUp(page, 'Two Factor', email, password);
  await page.getByRole('link', { name: 'Account', exact: true }).click();

  // Without the right current password the API refuses to start, and the page says why.
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByLabel('Current password').fill('not my password at all');
  await section.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await section.getByRole('alert').waitFor();

  await section.getByLabel('Current password').fill(password);
  await section.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await section.getByLabel('Secret').textContent())!.trim();
  await freshStep();
  await section.getByRole('textbox', { name: 'Authentication code' }).fill(code(secret, -1));
  await section.getByRole('button', { name: 'Confirm code' }).click();
  const recoveryCodes = section.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await recoveryCodes.first().waitFor();
  expect(await recoveryCodes.count()).toBe(10);
  await expectAccessible(page, 'the account page with recovery codes');

  // Log out, then back in: the form asks for a code.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('textbox', { name: 'Authentication code' }).fill(code(secret));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Account', exact: true }).click();

  // Turned off with the current password: the set-up button is back.
  await section.getByLabel('Current password').fill(password);
  await section.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await section.getByRole('button', { name: 'Set up two-factor authentication' }).waitFor();
});
