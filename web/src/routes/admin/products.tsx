import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { AdminProductsDocument, DeleteProductDocument } from '../../gql/graphql.js';
import { formatMoney } from '../../money.js';

/** The catalog as an admin sees it: stock and reservations, edit and delete. */
export function Products() {
  const [{ data, fetching, error }] = useQuery({ query: AdminProductsDocument, variables: {} });
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
          </div>
        ))}
    </section>
  );
}
