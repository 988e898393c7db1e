import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import {
  AdminCancelOrderDocument,
  AdminOrdersDocument,
  MarkOrderPaidDocument,
  ShipOrderDocument,
  type OrderStatus,
} from '../../gql/graphql.js';
import { formatMoney } from '../../money.js';
import { statusWord } from '../../order-status.js';

const statuses = Object.keys(statusWord) as OrderStatus[];

/** Every order, filtered by status, with the admin's actions on each. */
export function Orders() {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [{ data, fetching, error }] = useQuery({
    query: AdminOrdersDocument,
    variables: { filter: status ? { status } : null },
  });
  const [shipped, ship] = useMutation(ShipOrderDocument);
  const [paid, markPaid] = useMutation(MarkOrderPaidDocument);
  const [cancelled, cancel] = useMutation(AdminCancelOrderDocument);
  const filterId = useId();
  const actionError = shipped.error ?? paid.error ?? cancelled.error;
  const busy = shipped.fetching || paid.fetching || cancelled.fetching;

  return (
    <section aria-labelledby="admin-orders">
      <h2 id="admin-orders">Orders</h2>
      <div className="field inline">
        <label htmlFor={filterId}>Order status</label>
        <select id={filterId} value={status} onChange={(e) => setStatus(e.target.value as OrderStatus | '')}>
          <option value="">All</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {statusWord[s]}
            </option>
          ))}
        </select>
      </div>
      {error && <ErrorMessage error={error} />}
      {actionError && <ErrorMessage error={actionError} />}
      {fetching && !data && <Loading />}
      {data &&
        (data.orders.edges.length === 0 ? (
          <p>No orders{status && ` with status ${statusWord[status]}`}.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">Orders</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Total</th>
                  <th scope="col">Status</th>
                  <th scope="col">Payment</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.orders.edges.map(({ node }) => {
                  const label = node.id.slice(-8).toUpperCase();
                  return (
                    <tr key={node.id}>
                      <th scope="row">
                        <Link to={`/orders/${node.id}`}>{label}</Link>
                      </th>
                      <td>
                        <time dateTime={node.createdAt}>{new Date(node.createdAt).toLocaleString()}</time>
                      </td>
                      <td>
                        {node.shippingAddress.name}, {node.shippingAddress.city} {node.shippingAddress.country}
                      </td>
                      <td>{formatMoney(node.total)}</td>
                      <td>{statusWord[node.status]}</td>
                      <td>{node.payment.status === 'PAID' ? 'Paid' : node.payment.status === 'DUE' ? 'Due' : '—'}</td>
                      <td className="actions">
                        {node.status === 'CONFIRMED' && (
                          <button type="button" disabled={busy} onClick={() => void ship({ id: node.id })}>
                            Ship
                          </button>
                        )}
                        {node.payment.status === 'DUE' && (
                          <button type="button" disabled={busy} onClick={() => void markPaid({ id: node.id })}>
                            Mark paid
                          </button>
                        )}
                        {(node.status === 'PENDING' || node.status === 'CONFIRMED') && (
                          <button type="button" disabled={busy} onClick={() => void cancel({ id: node.id })}>
                            Cancel
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
