/** An amount in minor units (e.g. cents) with its ISO 4217 currency, as the API sends it. */
export interface Money {
  amount: number;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formatters.set(currency, format);
  }
  return format;
}

/** How many minor units a currency has (2 for EUR, 0 for JPY), as Intl knows it. */
export function minorDigits(currency: string): number {
  return formatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** The one place money becomes text: minor units divided by the currency's own factor, then Intl. */
export function formatMoney({ amount, currency }: Money): string {
  return formatter(currency).format(amount / 10 ** minorDigits(currency));
}

/**
 * Major units typed by a person (`12.50`, `12,5`, `12`) to minor units; null when it is not a
 * non-negative amount with at most the currency's number of decimals.
 */
export function parseMajorUnits(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Minor units back to the text a person edits (`1250` EUR -> `12.50`). */
export function toMajorUnits({ amount, currency }: Money): string {
  return (amount / 10 ** minorDigits(currency)).toFixed(minorDigits(currency));
}
