import { useId } from 'react';

/** A shipping address as the checkout form holds it (the API's AddressInput). */
export interface AddressValue {
  name: string;
  line1: string;
  line2: string;
  city: string;
  postalCode: string;
  country: string;
}

export const emptyAddress: AddressValue = { name: '', line1: '', line2: '', city: '', postalCode: '', country: 'DE' };

// ISO 3166-1 alpha-2 codes the shop ships to; names come from the browser's locale data.
const countryCodes = ['AT', 'BE', 'CH', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'NL', 'NO', 'PL', 'PT', 'SE', 'US'];
const regionNames = new Intl.DisplayNames(undefined, { type: 'region' });
const countries = countryCodes
  .map((code) => ({ code, name: regionNames.of(code) ?? code }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** Labelled address fields; the parent form owns the value. */
export function AddressFields({
  value,
  onChange,
  legend = 'Shipping address',
}: {
  value: AddressValue;
  onChange: (next: AddressValue) => void;
  legend?: string;
}) {
  const id = useId();
  const field = (key: keyof AddressValue, label: string, autoComplete: string, required = true) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        name={key}
        autoComplete={autoComplete}
        required={required}
        value={value[key]}
        onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <fieldset>
      <legend>{legend}</legend>
      {field('name', 'Full name', 'name')}
      {field('line1', 'Address line 1', 'address-line1')}
      {field('line2', 'Address line 2', 'address-line2', false)}
      {field('city', 'City', 'address-level2')}
      {field('postalCode', 'Postal code', 'postal-code')}
      <div className="field">
        <label htmlFor={`${id}-country`}>Country</label>
        <select
          id={`${id}-country`}
          name="country"
          autoComplete="country"
          value={value.country}
          onChange={(e) => onChange({ ...value, country: e.target.value })}
        >
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}
