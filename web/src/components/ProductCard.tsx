import { Link } from 'react-router';
import type { ProductCardFragment } from '../gql/graphql.js';
import { formatMoney } from '../money.js';

/** One product in a list: an article named by its heading, whose link is the product's name. */
export function ProductCard({ product }: { product: ProductCardFragment }) {
  const headingId = `product-${product.id}`;
  const image = product.imageUrls[0];
  return (
    <article className="product-card" aria-labelledby={headingId}>
      {image ? <img src={image} alt="" loading="lazy" width={320} height={240} /> : <div className="placeholder" />}
      <h2 id={headingId}>
        <Link to={`/products/${product.slug}`}>{product.name}</Link>
      </h2>
      <p className="price">{formatMoney(product.price)}</p>
      {!product.inStock && <p className="stock-out">Out of stock</p>}
    </article>
  );
}
