import { describe, expect, it } from 'vitest';
import { createPricing, taxOf } from './pricing.js';
import { DEFAULT_SHIPPING_METHODS, DEFAULT_TAX_RATES } from './rates.js';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('pricing', () => {
  it('takes the tax a gross price includes, or adds it to a net one, rounding half up in integers', () => {
    expect(taxOf(10_290, 19, true)).toBe(1_643); // 10290 × 19 / 119 = 1642.94
    expect(taxOf(10_000, 19, false)).toBe(1_900);
    expect(taxOf(1_005, 25.5, false)).toBe(256); // 256.275
    expect(taxOf(Number.MAX_SAFE_INTEGER, 25, true)).toBe(1_801_439_850_948_198); // exact beyond 2^53 / 25
    expect(taxOf(4_900, 0, true)).toBe(0);
  });

  it('offers each method by zone and currency, cheapest first; refuses unknown countries and methods', () => {
    const pricing = createPricing({
      shippingMethods: DEFAULT_SHIPPING_METHODS,
      taxRates: DEFAULT_TAX_RATES,
      pricesIncludeTax: true,
    });
    expect(pricing.shippingMethods('de', 'EUR').map((m) => [m.id, m.price.amount, m.minDays, m.maxDays])).toEqual([
      ['STANDARD', 490, 2, 4],
      ['EXPRESS', 990, 1, 2],
    ]);
    expect(pricing.shippingMethods('FR', 'EUR').map((m) => [m.id, m.price.amount])).toEqual([
      ['STANDARD', 990],
      ['EXPRESS', 1_990],
    ]);
    // Outside the EU only the catch-all zone: no Express.
    expect(pricing.shippingMethods('US', 'EUR').map((m) => m.id)).toEqual(['STANDARD']);
    expect(pricing.shippingMethods('US', 'USD').map((m) => [m.id, m.price])).toEqual([
      ['STANDARD', { amount: 2_490, currency: 'USD' }],
    ]);
    expect(pricing.shippingMethods('DE', 'JPY')).toEqual([]);
    expect(() => pricing.shippingMethods('XX', 'EUR')).toThrow('country must be an ISO 3166-1 alpha-2 country code');
    expect(() => pricing.shippingFor('US', 'EUR', 'EXPRESS')).toThrow(
      'Shipping method EXPRESS does not ship to US; choose one of STANDARD',
    );
    expect(() => pricing.shippingFor('DE', 'JPY')).toThrow('No shipping method ships to DE in JPY');
    expect(pricing.shippingFor('DE', 'EUR').id).toBe('STANDARD');
  });

  it('charges goods and shipping with the destination’s rate: included, or added on top', () => {
    const gross = createPricing({
      shippingMethods: DEFAULT_SHIPPING_METHODS,
      taxRates: DEFAULT_TAX_RATES,
      pricesIncludeTax: true,
    });
    expect(gross.charges(eur(9_800), eur(490), 'DE')).toEqual({
      subtotal: eur(9_800),
      shipping: eur(490),
      tax: eur(1_643),
      total: eur(10_290),
      taxRate: 19,
      taxIncluded: true,
    });
    expect(gross.charges(eur(9_800), eur(1_990), 'US')).toMatchObject({ tax: eur(0), total: eur(11_790), taxRate: 0 });
    const net = createPricing({
      shippingMethods: DEFAULT_SHIPPING_METHODS,
      taxRates: DEFAULT_TAX_RATES,
      pricesIncludeTax: false,
    });
    expect(net.charges(eur(10_000), eur(990), 'SE')).toMatchObject({
      tax: eur(2_748),
      total: eur(13_738),
      taxRate: 25,
      taxIncluded: false,
    });
  });
});
