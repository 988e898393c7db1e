import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { Charges } from '../components/Charges.js';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { Loading } from '../components/Loading.js';
import { RequireSession } from '../components/RequireSession.js';
import { CancelOrderDocument, OrderDocument, type OrderStatus } from '../gql/graphql.js';
import { formatMoney } from '../money.js';
import { finalStatuses, statusWord } from '../order-status.js';

/** How often to ask again while the order may still change (live updates over SSE come later). */
const pollMs: Partial<Record<OrderStatus, number>> = { PENDING: 2_000, CONFIRMED: 10_000 };

/** `/orders/:id`: one order, its status kept current without a reload, and cancelling it. */
export default function OrderPage() {
  return <RequireSession>{() => <Order />}</RequireSession>;
}

function Order() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: OrderDocument, variables: { id } });
  const [cancelled, cancelOrder] = useMutation(CancelOrderDocument);
  const status = data?.order?.status;

  useEffect(() => {
    if (!status || finalStatuses.has(status)) return;
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), pollMs[status] ?? 10_000);
    return () => clearInterval(timer);
  }, [status, reexecute]);

  if (error && !data) return <ErrorMessage error={error} />;
  if (fetching && !data) return <Loading />;
  const order = data?.order;
  if (!order) {
    return (
      <>
        <h1>Order not found</h1>
        <p>
          There is no order of yours at this address. <Link to="/account">Your orders</Link>
        </p>
      </>
    );
  }
  const canCancel = order.status === 'PENDING' || order.status === 'CONFIRMED';
  const address = order.shippingAddress;
  return (
    <>
      <h1>Order {order.id.slice(-8).toUpperCase()}</h1>
      <p className="order-status">
        Status:{' '}
        <strong role="status" className={`status status-${order.status.toLowerCase()}`}>
          {statusWord[order.status]}
        </strong>
      </p>
      {order.rejectionReason && <p>Why: {order.rejectionReason}</p>}
      {cancelled.error && <ErrorMessage error={cancelled.error} />}
      {canCancel && (
        <button type="button" disabled={cancelled.fetching} onClick={() => void cancelOrder({ id: order.id })}>
          Cancel order
        </button>
      )}
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <ul className="order-items">
          {order.items.map((item, index) => (
            <li key={index}>
              {item.quantity} × {item.product ? <Link to={`/products/${item.product.slug}`}>{item.name}</Link> : item.name} at{' '}
              {formatMoney(item.unitPrice)}
            </li>
          ))}
        </ul>
        <Charges charges={order} shippingMethod={order.shippingMethod} />
        <p>
          Payment: {order.payment.method.toLowerCase()},{' '}
          {order.payment.status === 'PAID' ? 'paid' : order.payment.status === 'DUE' ? 'due' : 'nothing due yet'}
        </p>
      </section>
      <section aria-labelledby="address-heading">
        <h2 id="address-heading">Shipping to</h2>
        <address>
          {address.name}
          <br />
          {address.line1}
          {address.line2 && (
            <>
              <br />
              {address.line2}
            </>
          )}
          <br />
          {address.postalCode} {address.city}, {address.country}
        </address>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Status history</h2>
        <ol className="history">
          {order.statusHistory.map((change) => (
            <li key={`${change.status}-${change.at}`}>
              <time dateTime={change.at}>{new Date(change.at).toLocaleString()}</time>: {statusWord[change.status]}
              {change.reason && ` (${change.reason})`}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
