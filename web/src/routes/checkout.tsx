import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { AddressFields, emptyAddress, type AddressValue } from '../components/AddressFields.js';
import { Charges } from '../components/Charges.js';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { RequireSession } from '../components/RequireSession.js';
import { addressLine } from '../address.js';
import { AddressesDocument, CartDocument, CartQuoteDocument, CheckoutDocument, ShippingMethodsDocument } from '../gql/graphql.js';
import { formatMoney } from '../money.js';

/** `/checkout`: shipping address and payment method for the cart, then the order. */
export default function CheckoutPage() {
  return <RequireSession>{(user) => <Checkout name={user.name} />}</RequireSession>;
}

function Checkout({ name }: { name: string }) {
  const [cart] = useQuery({ query: CartDocument });
  const [book] = useQuery({ query: AddressesDocument });
  const [placed, checkout] = useMutation(CheckoutDocument);
  const [address, setAddress] = useState<AddressValue>({ ...emptyAddress, name });
  // A saved address's id, or 'new'; until chosen, the default saved address (or a new one).
  const [chosen, setChosen] = useState<string | null>(null);
  const [saveAddress, setSaveAddress] = useState(false);
  const [method, setMethod] = useState<string | null>(null);
  // Where it ships decides the methods and the tax: the chosen saved address's country, or the form's.
  const saved = book.data?.me?.addresses ?? [];
  const choice = chosen ?? saved.find((a) => a.isDefault)?.id ?? 'new';
  const country = (choice === 'new' ? address.country : saved.find((a) => a.id === choice)?.country) ?? address.country;
  const currency = cart.data?.me?.cart.subtotal?.currency ?? 'EUR';
  const [methods] = useQuery({ query: ShippingMethodsDocument, variables: { country, currency } });
  const offered = methods.data?.shippingMethods ?? [];
  const shippingMethod = offered.find((m) => m.id === method)?.id ?? offered[0]?.id ?? null;
  const [quote] = useQuery({ query: CartQuoteDocument, variables: { country, shippingMethod }, pause: !shippingMethod });
  // One key per checkout attempt: a retry of the same submission (say, after a timeout) sends the same
  // key, so the server answers with the order it may already have placed instead of placing another.
  // Changing the address makes it a new attempt.
  const attemptKey = useRef<string | null>(null);
  const navigate = useNavigate();

  if (cart.error) return <ErrorMessage error={cart.error} />;
  if (!cart.data?.me) return <Loading />;
  const { items, subtotal } = cart.data.me.cart;
  const choose = (next: string) => {
    attemptKey.current = null;
    setChosen(next);
  };
  if (items.length === 0 && !placed.data) {
    return (
      <>
        <h1>Checkout</h1>
        <p>
          Your cart is empty. <Link to="/">Find something in the shop</Link>
        </p>
      </>
    );
  }

  return (
    <>
      <h1>Checkout</h1>
      <form
        className="checkout"
        aria-describedby={placed.error ? 'checkout-error' : undefined}
        onSubmit={(event) => {
          event.preventDefault();
          attemptKey.current ??= crypto.randomUUID();
          const { line2, ...rest } = address;
          const where =
            choice === 'new' ? { shippingAddress: { ...rest, ...(line2 ? { line2 } : {}) }, saveAddress } : { addressId: choice };
          void checkout(
            { input: { idempotencyKey: attemptKey.current, ...where, shippingMethod } },
            { additionalTypenames: ['Cart', 'User', 'SavedAddress'] },
          ).then((result) => {
            if (result.data) void navigate(`/orders/${result.data.checkout.id}`);
          });
        }}
      >
        {saved.length > 0 && (
          <fieldset>
            <legend>Shipping address</legend>
            {saved.map((a) => (
              <div className="radio" key={a.id}>
                <input
                  type="radio"
                  id={`address-${a.id}`}
                  name="address"
                  checked={choice === a.id}
                  onChange={() => choose(a.id)}
                />
                <label htmlFor={`address-${a.id}`}>{addressLine(a)}</label>
              </div>
            ))}
            <div className="radio">
              <input type="radio" id="address-new" name="address" checked={choice === 'new'} onChange={() => choose('new')} />
              <label htmlFor="address-new">New address</label>
            </div>
          </fieldset>
        )}
        {choice === 'new' && (
          <>
            <AddressFields
              legend={saved.length > 0 ? 'New address' : 'Shipping address'}
              value={address}
              onChange={(next) => {
                attemptKey.current = null;
                setAddress(next);
              }}
            />
            <div className="checkbox">
              <input
                type="checkbox"
                id="save-address"
                checked={saveAddress}
                onChange={(e) => {
                  attemptKey.current = null;
                  setSaveAddress(e.target.checked);
                }}
              />
              <label htmlFor="save-address">Save this address</label>
            </div>
          </>
        )}
        <fieldset>
          <legend>Shipping method</legend>
          {methods.error && <ErrorMessage error={methods.error} />}
          {!methods.data && !methods.error && <Loading />}
          {methods.data && offered.length === 0 && <p>Nothing ships to this country in {currency}.</p>}
          {offered.map((m) => (
            <div className="radio" key={m.id}>
              <input
                type="radio"
                id={`shipping-${m.id}`}
                name="shipping"
                checked={shippingMethod === m.id}
                onChange={() => {
                  attemptKey.current = null;
                  setMethod(m.id);
                }}
              />
              <label htmlFor={`shipping-${m.id}`}>
                {m.name}: {formatMoney(m.price)}, {m.deliveryEstimate}
              </label>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>Payment method</legend>
          <div className="radio">
            <input type="radio" id="payment-invoice" name="payment" value="INVOICE" defaultChecked />
            <label htmlFor="payment-invoice">Invoice</label>
          </div>
          <div className="radio">
            <input type="radio" id="payment-card" name="payment" value="CARD" disabled aria-describedby="card-note" />
            <label htmlFor="payment-card">Card</label>
            <span id="card-note" className="hint">
              {' '}
              (coming soon)
            </span>
          </div>
        </fieldset>
        <section aria-label="Order summary" className="summary">
          <h2>Summary</h2>
          <ul>
            {items.map((item) => (
              <li key={item.product.id}>
                {item.quantity} × {item.product.name}:{' '}
                {formatMoney({ ...item.unitPrice, amount: item.unitPrice.amount * item.quantity })}
              </li>
            ))}
          </ul>
          {quote.data?.me?.cart.quote ? (
            <Charges charges={quote.data.me.cart.quote} shippingMethod={quote.data.me.cart.quote.shippingMethod} />
          ) : (
            <p>
              Subtotal <strong>{subtotal ? formatMoney(subtotal) : '—'}</strong>
            </p>
          )}
        </section>
        {placed.error && <ErrorMessage id="checkout-error" error={placed.error} />}
        <button type="submit" className="primary" disabled={placed.fetching}>
          {placed.fetching ? 'Placing order…' : 'Place order'}
        </button>
      </form>
    </>
  );
}
