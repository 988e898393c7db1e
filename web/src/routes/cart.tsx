import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { RemoveFromCartDocument, UpdateCartItemDocument } from '../gql/graphql.js';
import { useCart, useMergeProblems } from '../guest-cart.js';
import { formatMoney } from '../money.js';
import { useSession } from '../session.js';

const problemText = {
  UNAVAILABLE: 'no longer sold',
  OUT_OF_STOCK: 'kept, but out of stock now',
  OTHER_CURRENCY: 'priced in another currency than this cart',
  QUANTITY_CAPPED: 'quantity capped at 99',
  TOO_MANY_LINES: 'the cart holds 50 products already',
} as const;

/** `/cart`: the cart, the account's or, before logging in, the guest cart (merged in at log-in). */
export default function CartPage() {
  const { cart, error, guestCartToken } = useCart();
  const problems = useMergeProblems();
  const session = useSession();
  const [updated, updateItem] = useMutation(UpdateCartItemDocument);
  const [removed, removeItem] = useMutation(RemoveFromCartDocument);
  const navigate = useNavigate();
  if (error) return <ErrorMessage error={error} />;
  if (!cart) return <Loading />;
  const mutationError = updated.error ?? removed.error;
  const asGuest = guestCartToken ? { guestCartToken } : {};
  return (
    <>
      <h1>Your cart</h1>
      {mutationError && <ErrorMessage error={mutationError} />}
      {problems.length > 0 && (
        <div role="status" className="notice">
          <p>From the cart you filled before logging in:</p>
          <ul>
            {problems.map((p) => (
              <li key={`${p.product.id}-${p.problem}`}>
                {p.product.name ?? 'A product'}: {problemText[p.problem]}
              </li>
            ))}
          </ul>
        </div>
      )}
      {cart.items.length === 0 ? (
        <p>
          Your cart is empty. <Link to="/">Find something in the shop</Link>
        </p>
      ) : (
        <>
          <table className="cart">
            <caption className="visually-hidden">Items in your cart</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">Quantity</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cart.items.map(({ product, quantity, unitPrice }) => (
                <tr key={product.id}>
                  <th scope="row">
                    <Link to={`/products/${product.slug}`}>{product.name}</Link>
                  </th>
                  <td>{formatMoney(unitPrice)}</td>
                  <td>
                    <QuantityInput
                      name={product.name}
                      quantity={quantity}
                      onChange={(next) => void updateItem({ productId: product.id, quantity: next, ...asGuest })}
                    />
                  </td>
                  <td>{formatMoney({ amount: unitPrice.amount * quantity, currency: unitPrice.currency })}</td>
                  <td>
                    <button type="button" onClick={() => void removeItem({ productId: product.id, ...asGuest })}>
                      Remove {product.name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="subtotal">
            <span>Subtotal</span> <strong>{cart.subtotal ? formatMoney(cart.subtotal) : '—'}</strong>
          </p>
          <p>
            <button
              type="button"
              className="primary"
              onClick={() =>
                // A guest logs in (or signs up) first; the cart comes along.
                void navigate(session.status === 'authenticated' ? '/checkout' : `/login?next=${encodeURIComponent('/checkout')}`)
              }
            >
              Checkout
            </button>
          </p>
        </>
      )}
    </>
  );
}

/** A line's quantity: sent as soon as it is a valid number, kept in sync with what the server answers. */
function QuantityInput({ name, quantity, onChange }: { name: string; quantity: number; onChange: (next: number) => void }) {
  const [value, setValue] = useState(String(quantity));
  const [shown, setShown] = useState(quantity);
  if (shown !== quantity) {
    // The server's answer changed the quantity (or another tab did): show it.
    setShown(quantity);
    setValue(String(quantity));
  }
  return (
    <input
      type="number"
      inputMode="numeric"
      aria-label={`Quantity for ${name}`}
      min={1}
      max={99}
      value={value}
      onChange={(e) => {
        setValue(e.target.value);
        const next = Number(e.target.value);
        if (e.target.value !== '' && Number.isInteger(next) && next >= 1 && next <= 99 && next !== quantity) onChange(next);
      }}
    />
  );
}
