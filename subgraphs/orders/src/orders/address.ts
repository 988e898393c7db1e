import type { AddressData } from '@little-ecom/events';
import { BadUserInputError, SINGLE_LINE_MESSAGE, isSingleLine } from '@little-ecom/errors';
import { COUNTRY_CODES } from '../pricing/countries.js';

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
}

const LIMITS: Record<keyof AddressInput, number> = { name: 100, line1: 200, line2: 200, city: 100, postalCode: 20, country: 2 };

/** Trims and checks an address; every problem names its field, under `prefix` (the input's name). */
export function validateAddress(input: AddressInput, prefix = 'shippingAddress'): AddressData {
  const field = (key: keyof AddressInput, required: boolean): string | null => {
    const value = (input[key] ?? '').trim();
    if (value.length === 0) {
      if (required) throw new BadUserInputError(`${prefix}.${key} is required`, `${prefix}.${key}`);
      return null;
    }
    if (value.length > LIMITS[key])
      throw new BadUserInputError(`${prefix}.${key} is longer than ${LIMITS[key]} characters`, `${prefix}.${key}`);
    // Address lines are printed in order emails and on labels, one per line.
    if (!isSingleLine(value)) throw new BadUserInputError(`${prefix}.${key} ${SINGLE_LINE_MESSAGE}`, `${prefix}.${key}`);
    return value;
  };
  const country = field('country', true)!.toUpperCase();
  if (!COUNTRY_CODES.has(country))
    throw new BadUserInputError(`${prefix}.country must be an ISO 3166-1 alpha-2 code`, `${prefix}.country`);
  return {
    name: field('name', true)!,
    line1: field('line1', true)!,
    line2: field('line2', false),
    city: field('city', true)!,
    postalCode: field('postalCode', true)!,
    country,
  };
}
