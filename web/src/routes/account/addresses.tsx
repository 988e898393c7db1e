import { useMutation, useQuery } from 'urql';
import { addressLine } from '../../address.js';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { AddressesDocument, DeleteAddressDocument, SetDefaultAddressDocument } from '../../gql/graphql.js';

// Deleting returns a Boolean: naming the typename lets it refresh the list. (A constant: urql runs the
// query again whenever the context object changes.)
const addressTypenames = { additionalTypenames: ['SavedAddress'] };

/** The address book: saved at checkout, the default offered first; make another the default, or delete one. */
export function Addresses() {
  const [{ data, error }] = useQuery({ query: AddressesDocument, context: addressTypenames });
  const [made, setDefault] = useMutation(SetDefaultAddressDocument);
  const [deleted, deleteAddress] = useMutation(DeleteAddressDocument);
  const addresses = data?.me?.addresses;
  return (
    <section aria-labelledby="addresses-heading">
      <h2 id="addresses-heading">Addresses</h2>
      {error && !data && <ErrorMessage error={error} />}
      {!addresses && !error && <Loading />}
      {addresses?.length === 0 && <p>No saved addresses. Tick “Save this address” at checkout to keep one.</p>}
      {addresses && addresses.length > 0 && (
        <ul className="addresses">
          {addresses.map((address) => {
            const line = addressLine(address);
            return (
              <li key={address.id}>
                <span>
                  {line}
                  {address.isDefault && <strong> (default)</strong>}
                </span>{' '}
                {!address.isDefault && (
                  <button
                    type="button"
                    aria-label={`Make ${line} the default`}
                    disabled={made.fetching}
                    onClick={() => void setDefault({ id: address.id }, addressTypenames)}
                  >
                    Make default
                  </button>
                )}{' '}
                <button
                  type="button"
                  aria-label={`Delete ${line}`}
                  disabled={deleted.fetching}
                  onClick={() => void deleteAddress({ id: address.id }, addressTypenames)}
                >
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {made.error && <ErrorMessage error={made.error} />}
      {deleted.error && <ErrorMessage error={deleted.error} />}
    </section>
  );
}
