import { useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { ProductCard } from '../components/ProductCard.js';
import { CatalogDocument, CategoriesDocument, type ProductSort } from '../gql/graphql.js';

const pageSize = 12;
const sorts: { value: ProductSort; label: string }[] = [
  { value: 'NEWEST', label: 'Newest' },
  { value: 'NAME_ASC', label: 'Name' },
  { value: 'PRICE_ASC', label: 'Price: low to high' },
  { value: 'PRICE_DESC', label: 'Price: high to low' },
];
const isSort = (value: string | null): value is ProductSort => sorts.some((s) => s.value === value);

/** `/`: the catalog, with search, category filter, sort and cursor paging; filters live in the URL. */
export default function Catalog() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const sortParam = params.get('sort');
  const sort: ProductSort = isSort(sortParam) ? sortParam : 'NEWEST';
  const [draft, setDraft] = useState(search);
  // Cursors of the pages before this one, so "Previous page" can go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter = useMemo(() => ({ ...(search ? { search } : {}), ...(category ? { category } : {}) }), [search, category]);
  const [{ data, fetching, error }] = useQuery({
    query: CatalogDocument,
    variables: { first: pageSize, after, filter, sort },
  });
  const [categories] = useQuery({ query: CategoriesDocument });
  const categoryNames = [...new Set(categories.data?.products.edges.map((e) => e.node.category) ?? [])].sort();
  const ids = { search: useId(), sort: useId(), category: useId() };

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
            {categoryNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
            {category && !categoryNames.includes(category) && <option value={category}>{category}</option>}
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
