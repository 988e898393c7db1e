import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, graphql } from './support/api.js';
import { expectAccessible, newPage, screenshots } from './support/browser.js';
import { startShop, type Shop } from './support/shop.js';
import { password } from './support/api.js';

let shop: Shop;
let admin: { email: string; secret: string };

/** The code an authenticator app shows `steps` periods from now. */
function code(secret: string, steps = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + steps * 30_000 });
}

beforeAll(async () => {
  shop = await startShop();
  // An admin with a second factor, enrolled through the API.
  const { email, token } = await adminToken(shop.stack);
  const { startTotpEnrollment } = await graphql<{ startTotpEnrollment: { secret: string } }>(
    shop.stack.gatewayUrl,
    'mutation { startTotpEnrollment { secret } }',
    {},
    token,
  );
  // Confirmed with the previous step's code (accepted: one step of clock drift), so the current
  // step's code is still unused for the log-in below.
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
