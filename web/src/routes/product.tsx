import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { AddToCartDocument, ProductPageDocument, StartGuestCartDocument } from '../gql/graphql.js';
import { getGuestCartToken, setGuestCartToken } from '../guest-cart.js';
import { formatMoney } from '../money.js';
import { useSession } from '../session.js';

/** `/products/:slug`: one product, and adding it to the cart. */
export default function ProductPage() {
  const { slug = '' } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: ProductPageDocument, variables: { slug } });
  const [added, addToCart] = useMutation(AddToCartDocument);
  const [started, startGuestCart] = useMutation(StartGuestCartDocument);
  const [quantity, setQuantity] = useState(1);
  const [done, setDone] = useState(false);
  const session = useSession();
  const quantityId = useId();

  if (error) return <ErrorMessage error={error} />;
  if (fetching || !data) return <Loading />;
  const product = data.product;
  if (!product) {
    return (
      <>
        <h1>Product not found</h1>
        <p>
          There is no product at this address. <Link to="/">Back to the shop</Link>
        </p>
      </>
    );
  }
  const image = product.imageUrls[0];
  const max = Math.max(1, Math.min(99, product.stock));
  return (
    <article className="product-page" aria-labelledby="product-name">
      {image && <img src={image} alt={product.name} width={480} height={360} />}
      <div>
        <h1 id="product-name">{product.name}</h1>
        <p className="price">{formatMoney(product.price)}</p>
        <p>{product.description}</p>
        <p className="stock">{product.inStock ? `${product.stock} in stock` : 'Out of stock'}</p>
        <form
          className="add-to-cart"
          onSubmit={(event) => {
            event.preventDefault();
            setDone(false);
            void (async () => {
              // Not logged in: the guest cart, started on the first add.
              let guestCartToken: string | null = null;
              if (session.status !== 'authenticated') {
                guestCartToken = getGuestCartToken();
                if (!guestCartToken) {
                  const started = await startGuestCart({});
                  guestCartToken = started.data?.startGuestCart ?? null;
                  if (!guestCartToken) return;
                  setGuestCartToken(guestCartToken);
                }
              }
              const result = await addToCart(
                { productId: product.id, quantity, ...(guestCartToken ? { guestCartToken } : {}) },
                { additionalTypenames: ['Cart'] },
              );
              setDone(!result.error);
            })();
          }}
        >
          <div className="field">
            <label htmlFor={quantityId}>Quantity</label>
            <input
              id={quantityId}
              type="number"
              inputMode="numeric"
              min={1}
              max={max}
              value={quantity}
              disabled={!product.inStock}
              onChange={(e) => setQuantity(Math.max(1, Math.min(max, Number(e.target.value) || 1)))}
            />
          </div>
          <button type="submit" disabled={!product.inStock || added.fetching}>
            Add to cart
          </button>
        </form>
        {(added.error ?? started.error) && <ErrorMessage error={(added.error ?? started.error)!} />}
        <div aria-live="polite">
          {done && (
            <p className="notice">
              Added to your cart. <Link to="/cart">Go to the cart</Link>
            </p>
          )}
        </div>
      </div>
    </article>
  );
}
