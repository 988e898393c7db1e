import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { AdminProductsDocument, DeleteProductDocument } from '../../gql/graphql.js';
import { formatMoney } from '../../money.js';

// Tags the list with Product even when it is empty, so creating the first product refreshes it.
// (A constant: urql runs the query again whenever the context object changes.)
const productTypenames = { additionalTypenames: ['Product'] };

/** The catalog as an admin sees it: stock and reservations, edit and delete. */
export function Products() {
  // Cursors of the pages before this one (20 a page keeps the query under the gateway's cost limit).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }] = useQuery({
    query: AdminProductsDocument,
    variables: { after: cursors[cursors.length - 1] ?? null },
    context: productTypenames,
  });
  const [deleted, deleteProduct] = useMutation(DeleteProductDocument);
  return (
    <section aria-labelledby="admin-products">
      <h2 id="admin-products">Products</h2>
      <p>
        <Link className="button" to="/admin/products/new">
          New product
        </Link>
      </p>
      {error && <ErrorMessage error={error} />}
      {deleted.error && <ErrorMessage error={deleted.error} />}
      {fetching && !data && <Loading />}
      {data &&
        (data.products.edges.length === 0 ? (
          <p>No products yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">Products</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Category</th>
                  <th scope="col">Price</th>
                  <th scope="col">Stock</th>
                  <th scope="col">Reserved</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.products.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <th scope="row">
                      <Link to={`/products/${node.slug}`}>{node.name}</Link>
                    </th>
                    <td>{node.category}</td>
                    <td>{formatMoney(node.price)}</td>
                    <td>{node.stock}</td>
                    <td>{node.reserved}</td>
                    <td className="actions">
                      <Link to={`/admin/products/${node.id}`} aria-label={`Edit ${node.name}`}>
                        Edit
                      </Link>{' '}
                      <button
                        type="button"
                        aria-label={`Delete ${node.name}`}
                        disabled={deleted.fetching}
                        onClick={() => {
                          if (window.confirm(`Delete ${node.name}? This cannot be undone.`))
                            void deleteProduct({ id: node.id }, { additionalTypenames: ['Product'] });
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="pager">
              <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous products
              </button>
              <span>
                Page {cursors.length} of {Math.max(1, Math.ceil(data.products.totalCount / 20))}
              </span>
              <button
                type="button"
                disabled={!data.products.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, data.products.pageInfo.endCursor ?? null])}
              >
                Next products
              </button>
            </div>
          </div>
        ))}
    </section>
  );
}
