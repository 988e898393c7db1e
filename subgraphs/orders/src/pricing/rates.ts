import { z } from '@little-ecom/config';
import { EU } from './countries.js';

/**
 * A shipping method as the store configures it: prices in minor units of one currency, per zone; a
 * zone is a list of countries, or `*` for every country no other zone of the method names. A
 * country in no zone of a method is not served by it.
 */
export const shippingMethodSchema = z.object({
  id: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/),
  name: z.string().min(1).max(50),
  currency: z.string().regex(/^[A-Z]{3}$/),
  zones: z
    .array(
      z.object({
        countries: z.union([z.literal('*'), z.array(z.string().regex(/^[A-Z]{2}$/)).min(1)]),
        price: z.number().int().min(0).max(100_000_000),
        minDays: z.number().int().min(0).max(90),
        maxDays: z.number().int().min(0).max(90),
      }),
    )
    .min(1),
});

export type ShippingMethodConfig = z.output<typeof shippingMethodSchema>;

const DOMESTIC = ['DE'];
const EU_ABROAD = EU.filter((c) => !DOMESTIC.includes(c));

/** What a new store ships with (SHIPPING_METHODS_JSON replaces it): Standard everywhere, Express in the EU. */
export const DEFAULT_SHIPPING_METHODS: ShippingMethodConfig[] = [
  {
    id: 'STANDARD',
    name: 'Standard',
    currency: 'EUR',
    zones: [
      { countries: DOMESTIC, price: 490, minDays: 2, maxDays: 4 },
      { countries: EU_ABROAD, price: 990, minDays: 3, maxDays: 7 },
      { countries: '*', price: 1_990, minDays: 7, maxDays: 14 },
    ],
  },
  {
    id: 'EXPRESS',
    name: 'Express',
    currency: 'EUR',
    zones: [
      { countries: DOMESTIC, price: 990, minDays: 1, maxDays: 2 },
      { countries: EU_ABROAD, price: 1_990, minDays: 2, maxDays: 3 },
    ],
  },
  {
    id: 'STANDARD',
    name: 'Standard',
    currency: 'USD',
    zones: [{ countries: '*', price: 2_490, minDays: 7, maxDays: 14 }],
  },
];

/** VAT standard rates in percent (TAX_RATES replaces them); a country not listed is charged no tax. */
export const DEFAULT_TAX_RATES: Record<string, number> = {
  AT: 20,
  BE: 21,
  BG: 20,
  CY: 19,
  CZ: 21,
  DE: 19,
  DK: 25,
  EE: 22,
  ES: 21,
  FI: 25.5,
  FR: 20,
  GR: 24,
  HR: 25,
  HU: 27,
  IE: 23,
  IT: 22,
  LT: 21,
  LU: 17,
  LV: 21,
  MT: 18,
  NL: 21,
  PL: 23,
  PT: 23,
  RO: 19,
  SE: 25,
  SI: 22,
  SK: 23,
};

/** The defaults together: what loadOrdersConfig gives without the settings (prices include tax). */
export const DEFAULT_PRICING = Object.freeze({
  shippingMethods: DEFAULT_SHIPPING_METHODS,
  taxRates: DEFAULT_TAX_RATES,
  pricesIncludeTax: true,
});
