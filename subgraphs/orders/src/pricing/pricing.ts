import { BadUserInputError } from '@little-ecom/errors';
import type { MoneyData } from '@little-ecom/events';
import { COUNTRY_CODES } from './countries.js';
import type { ShippingMethodConfig } from './rates.js';

/** Shipping and tax as the store sets them (orders' config, docs/orders.md "Shipping and tax"). */
export interface PricingSettings {
  shippingMethods: ShippingMethodConfig[];
  /** Percent per ISO country code; countries not listed pay none. */
  taxRates: Record<string, number>;
  /** True: catalog prices and shipping include tax (the tax is the part of the total it makes up). */
  pricesIncludeTax: boolean;
}

/** A way to ship to one country, in one currency: what it costs and how long it takes. */
export interface ShippingOption {
  id: string;
  name: string;
  price: MoneyData;
  minDays: number;
  maxDays: number;
}

/** What an order costs: all amounts in minor units of one currency, computed here only. */
export interface Charges {
  subtotal: MoneyData;
  shipping: MoneyData;
  tax: MoneyData;
  total: MoneyData;
  /** Percent applied (0 when the country pays none). */
  taxRate: number;
  taxIncluded: boolean;
}

/** The charges of a cart or order with the method it ships by. */
export interface CartCharges extends Charges {
  shippingMethod: ShippingOption;
}

/**
 * `amount × rate`, or the part of `amount` a rate makes up when prices include it (`amount × rate /
 * (100 + rate)`), rounded half up, in integers (BigInt: amounts go up to 2^53, rates in hundredths).
 */
export function taxOf(amount: number, ratePercent: number, included: boolean): number {
  const bp = BigInt(Math.round(ratePercent * 100));
  if (bp === 0n) return 0;
  const numerator = BigInt(amount) * bp;
  const denominator = included ? 10_000n + bp : 10_000n;
  return Number((2n * numerator + denominator) / (2n * denominator));
}

export function createPricing(settings: PricingSettings) {
  /** The country code, upper-cased, or BAD_USER_INPUT when it is not an ISO 3166-1 alpha-2 code. */
  const requireCountry = (country: string, field = 'country'): string => {
    const code = country.trim().toUpperCase();
    if (!COUNTRY_CODES.has(code)) throw new BadUserInputError(`${field} must be an ISO 3166-1 alpha-2 country code`, field);
    return code;
  };

  /** Every method that ships to `country` in `currency`, cheapest first. */
  function shippingMethods(country: string, currency: string): ShippingOption[] {
    const code = requireCountry(country);
    if (!/^[A-Z]{3}$/.test(currency)) throw new BadUserInputError('currency must be an ISO 4217 code, e.g. EUR', 'currency');
    return settings.shippingMethods
      .filter((m) => m.currency === currency)
      .flatMap((m) => {
        const zone =
          m.zones.find((z) => z.countries !== '*' && z.countries.includes(code)) ?? m.zones.find((z) => z.countries === '*');
        return zone
          ? [{ id: m.id, name: m.name, price: { amount: zone.price, currency }, minDays: zone.minDays, maxDays: zone.maxDays }]
          : [];
      })
      .sort((a, b) => a.price.amount - b.price.amount);
  }

  /** The method `methodId` (the cheapest when absent) for `country`; BAD_USER_INPUT when none ships there. */
  function shippingFor(country: string, currency: string, methodId?: string | null): ShippingOption {
    const offered = shippingMethods(country, currency);
    if (offered.length === 0)
      throw new BadUserInputError(`No shipping method ships to ${country.toUpperCase()} in ${currency}`, 'shippingMethod');
    if (!methodId) return offered[0]!;
    const chosen = offered.find((m) => m.id === methodId);
    if (!chosen)
      throw new BadUserInputError(
        `Shipping method ${methodId} does not ship to ${country.toUpperCase()}; choose one of ${offered.map((m) => m.id).join(', ')}`,
        'shippingMethod',
      );
    return chosen;
  }

  /** The charges of `subtotal` shipped for `shipping` to `country` (shipping is taxed like the goods). */
  function charges(
    subtotal: MoneyData,
    shipping: MoneyData,
    country: string,
    taxRate = settings.taxRates[country] ?? 0,
  ): Charges {
    const gross = subtotal.amount + shipping.amount;
    const tax = taxOf(gross, taxRate, settings.pricesIncludeTax);
    const currency = subtotal.currency;
    return {
      subtotal,
      shipping,
      tax: { amount: tax, currency },
      total: { amount: settings.pricesIncludeTax ? gross : gross + tax, currency },
      taxRate,
      taxIncluded: settings.pricesIncludeTax,
    };
  }

  /** What `subtotal` costs shipped to `country` by `methodId` (the cheapest when absent). */
  function quote(subtotal: MoneyData, country: string, methodId?: string | null): CartCharges {
    const code = requireCountry(country);
    const shippingMethod = shippingFor(code, subtotal.currency, methodId);
    return { ...charges(subtotal, shippingMethod.price, code), shippingMethod };
  }

  return { requireCountry, shippingMethods, shippingFor, charges, quote };
}

export type Pricing = ReturnType<typeof createPricing>;
