import type { SavedAddressFieldsFragment } from './gql/graphql.js';

/** A saved address on one line, as radio labels and buttons name it: "Ada Shopper, Hauptstraße 1, 10115 Berlin, DE". */
export const addressLine = (a: Omit<SavedAddressFieldsFragment, 'id' | 'isDefault'>) =>
  [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country].filter(Boolean).join(', ');
