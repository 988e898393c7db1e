import type { AddressData } from '@little-ecom/events';
import { BadUserInputError, SINGLE_LINE_MESSAGE, isSingleLine } from '@little-ecom/errors';

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
}

const LIMITS: Record<keyof AddressInput, number> = { name: 100, line1: 200, line2: 200, city: 100, postalCode: 20, country: 2 };

/** Trims and checks a shipping address; every problem names its field. */
export function validateAddress(input: AddressInput): AddressData {
  const field = (key: keyof AddressInput, required: boolean): string | null => {
    const value = (input[key] ?? '').trim();
    if (value.length === 0) {
      if (required) throw new BadUserInputError(`shippingAddress.${key} is required`, `shippingAddress.${key}`);
      return null;
    }
    if (value.length > LIMITS[key])
      throw new BadUserInputError(`shippingAddress.${key} is longer than ${LIMITS[key]} characters`, `shippingAddress.${key}`);
    // Address lines are printed in order emails and on labels, one per line.
    if (!isSingleLine(value))
      throw new BadUserInputError(`shippingAddress.${key} ${SINGLE_LINE_MESSAGE}`, `shippingAddress.${key}`);
    return value;
  };
  const country = field('country', true)!.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    throw new BadUserInputError('shippingAddress.country must be an ISO 3166-1 alpha-2 code', 'shippingAddress.country');
  return {
    name: field('name', true)!,
    line1: field('line1', true)!,
    line2: field('line2', false),
    city: field('city', true)!,
    postalCode: field('postalCode', true)!,
    country,
  };
}
