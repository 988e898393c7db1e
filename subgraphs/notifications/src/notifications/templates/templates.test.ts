import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import { createSecretBox } from '@little-ecom/secrets';
import { formatMoney } from './layout.js';
import { renderEmail } from './registry.js';

describe('email templates', () => {
  it('formats minor units with the currency’s own decimals', () => {
    expect(formatMoney({ amount: 1999, currency: 'EUR' })).toBe('€19.99');
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).toBe('¥1,500');
    expect(formatMoney({ amount: 5, currency: 'XXX-not-a-code' })).toBe('5 XXX-not-a-code');
  });

  it('escapes user text in HTML and builds links from the storefront URL', () => {
    const mail = renderEmail(
      {
        kind: 'NEW_PRODUCT',
        name: '<b>Eve</b>',
        product: { productId: 'p', slug: 'a-lamp', name: 'Lamp "x" & <y>', price: { amount: 100, currency: 'USD' } },
      },
      'https://shop.example',
    );
    expect(mail.subject).toBe('New: Lamp "x" & <y>');
    expect(mail.html).toContain('Lamp &quot;x&quot; &amp; &lt;y&gt;');
    expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Eve');
    expect(mail.text).toContain('https://shop.example/products/a-lamp');
    expect(mail.text).toContain('$1.00');
  });

  it('tells the owner what changed in how they sign in, and what to do if it was not them', () => {
    const mail = renderEmail({ kind: 'SECURITY_CHANGED', name: 'Eve', change: 'totp_removed' }, 'https://shop.example');
    expect(mail.text).toContain('two-step verification was turned off');
    expect(mail.text).toContain('https://shop.example/forgot-password');
  });

  it('says why an order was cancelled when its payment did not arrive in time', () => {
    const order = {
      orderId: 'o-12345678abc',
      userId: 'u',
      items: [{ productId: 'p', quantity: 2, name: 'Lamp', unitPrice: { amount: 1_000, currency: 'EUR' } }],
      total: { amount: 2_700_000_000, currency: 'EUR' },
      shippingAddress: { name: 'Eve', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
      aggregateVersion: 3,
      previousStatus: 'CONFIRMED',
    };
    const expired = renderEmail(
      { kind: 'ORDER_CANCELLED', name: 'Eve', order, reason: 'PAYMENT_EXPIRED' },
      'https://shop.example',
    );
    expect(expired.subject).toBe('Order o-123456 cancelled');
    expect(expired.text).toContain('its payment did not arrive in time; the items are released');
    expect(expired.text).toContain('€27,000,000.00');
    const asked = renderEmail({ kind: 'ORDER_CANCELLED', name: 'Eve', order }, 'https://shop.example');
    expect(asked.text).toContain('your order was cancelled; the items are released.');
  });

  it('puts the URL-encoded reset token in the reset link', () => {
    const secrets = createSecretBox(randomBytes(32).toString('base64'));
    const sealedResetToken = secrets.seal('a+b/c', RESET_TOKEN_PURPOSE);
    const mail = renderEmail(
      { kind: 'PASSWORD_RESET', name: 'Eve', sealedResetToken, expiresAt: '2030-01-01T00:00:00.000Z' },
      'http://localhost:3000',
      secrets,
    );
    expect(mail.text).toContain('http://localhost:3000/reset-password?token=a%2Bb%2Fc');
    expect(mail.html).toContain('href="http://localhost:3000/reset-password?token=a%2Bb%2Fc"');
  });
});
