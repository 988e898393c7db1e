import { useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { ProductCard } from '../components/ProductCard.js';
import { CatalogDocument, CatalogFacetsDocument, type ProductSort } from '../gql/graphql.js';
import { formatMoney } from '../money.js';

const pageSize = 12;
const sorts: { value: ProductSort; label: string }[] = [
  { value: 'NEWEST', label: 'Newest' },
  { value: 'NAME_ASC', label: 'Name' },
  { value: 'PRICE_ASC', label: 'Price: low to high' },
  { value: 'PRICE_DESC', label: 'Price: high to low' },
];
const isSort = (value: string | null): value is ProductSort => sorts.some((s) => s.value === value);

/** A price band as the URL keeps it: `1000-2499`, or `10000-` for no upper bound (minor units). */
const bandKey = (band: { min: number; max?: number | null }) => `${band.min}-${band.max ?? ''}`;
function parseBand(value: string | null): { minPrice: number; maxPrice?: number } | null {
  const match = /^(\d{1,9})-(\d{1,9})?$/.exec(value ?? '');
  if (!match) return null;
  return { minPrice: Number(match[1]), ...(match[2] ? { maxPrice: Number(match[2]) } : {}) };
}
// The catalog's prices are in euros; bands are the same minor units in any currency.
const euros = (amount: number) => formatMoney({ amount, currency: 'EUR' });
const bandLabel = ({ min, max }: { min: number; max?: number | null }) =>
  max == null ? `${euros(min)} and more` : min === 0 ? `Under ${euros(max + 1)}` : `${euros(min)} – ${euros(max)}`;

/** `/`: the catalog, with search, category filter, sort and cursor paging; filters live in the URL. */
export default function Catalog() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const priceParam = params.get('price');
  const band = parseBand(priceParam);
  const sortParam = params.get('sort');
  const sort: ProductSort = isSort(sortParam) ? sortParam : 'NEWEST';
  const [draft, setDraft] = useState(search);
  // Cursors of the pages before this one, so "Previous page" can go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter = useMemo(
    () => ({ ...(search ? { search } : {}), ...(category ? { category } : {}), ...(band ?? {}) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `band` is derived from `priceParam`
    [search, category, priceParam],
  );
  const [{ data, fetching, error }] = useQuery({
    query: CatalogDocument,
    variables: { first: pageSize, after, filter, sort },
  });
  const [facetsResult] = useQuery({ query: CatalogFacetsDocument, variables: { filter } });
  const facets = facetsResult.data?.products.facets;
  const categories = facets?.categories ?? [];
  const ids = { search: useId(), sort: useId(), category: useId(), price: useId() };

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
    setCursors([null]);
  };

  const products = data?.products;
  return (
    <>
      <h1>Shop</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          update('q', draft.trim());
        }}
      >
        <div className="field">
          <label htmlFor={ids.search}>Search products</label>
          <input id={ids.search} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <button type="submit">Search</button>
        <div className="field">
          <label htmlFor={ids.category}>Category</label>
          <select id={ids.category} value={category} onChange={(e) => update('category', e.target.value)}>
            <option value="">All categories</option>
            {categories.map(({ value, count }) => (
              <option key={value} value={value}>
                {value} ({count})
              </option>
            ))}
            {category && !categories.some((c) => c.value === category) && <option value={category}>{category}</option>}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.price}>Price</label>
          <select id={ids.price} value={band ? (priceParam ?? '') : ''} onChange={(e) => update('price', e.target.value)}>
            <option value="">Any price</option>
            {(facets?.priceBands ?? []).map((b) => (
              <option key={bandKey(b)} value={bandKey(b)} disabled={b.count === 0 && bandKey(b) !== priceParam}>
                {bandLabel(b)} ({b.count})
              </option>
            ))}
            {band && !facets && (
              <option value={priceParam ?? ''}>{bandLabel({ min: band.minPrice, max: band.maxPrice ?? null })}</option>
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.sort}>Sort</label>
          <select id={ids.sort} value={sort} onChange={(e) => update('sort', e.target.value === 'NEWEST' ? '' : e.target.value)}>
            {sorts.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error && <ErrorMessage error={error} />}
      {fetching && !products && <Loading what="Loading products…" />}
      {products && (
        <section aria-label="Products" aria-busy={fetching}>
          <p className="count">
            {products.totalCount === 1 ? '1 product' : `${products.totalCount} products`}
            {search && ` matching “${search}”`}
          </p>
          {products.edges.length === 0 ? (
            <p>No products found. Try another search or category.</p>
          ) : (
            <div className="product-grid">
              {products.edges.map(({ node }) => (
                <ProductCard key={node.id} product={node} />
              ))}
            </div>
          )}
          <div className="pager">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={!products.pageInfo.hasNextPage}
              onClick={() => setCursors([...cursors, products.pageInfo.endCursor ?? null])}
            >
              Next page
            </button>
          </div>
        </section>
      )}
    </>
  );
}
