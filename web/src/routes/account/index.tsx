import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { RequireSession } from '../../components/RequireSession.js';
import { AccountDocument } from '../../gql/graphql.js';
import { formatMoney } from '../../money.js';
import { statusWord } from '../../order-status.js';
import { Addresses } from './addresses.js';
import { Preferences } from './preferences.js';
import { Sessions } from './sessions.js';
import { TwoFactor } from './two-factor.js';

// Sessions change when one ends; listing the typename lets ending one refresh this query. (A constant:
// urql runs the query again whenever the context object changes.)
const sessionTypenames = { additionalTypenames: ['Session'] };

/** `/account`: orders, addresses, email preferences, sessions and the second factor. */
export default function AccountPage() {
  return <RequireSession>{() => <Account />}</RequireSession>;
}

function Account() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AccountDocument, context: sessionTypenames });
  if (error && !data) return <ErrorMessage error={error} />;
  if (fetching && !data) return <Loading />;
  const me = data?.me;
  if (!data || !me) return <Loading />;
  return (
    <>
      <h1>Your account</h1>
      <p>
        {me.name} ({me.email})
      </p>
      <section aria-labelledby="orders-heading">
        <h2 id="orders-heading">Orders</h2>
        {me.orders.edges.length === 0 ? (
          <p>
            No orders yet. <Link to="/">Visit the shop</Link>
          </p>
        ) : (
          <ul className="order-list">
            {me.orders.edges.map(({ node }) => (
              <li key={node.id}>
                <Link to={`/orders/${node.id}`}>Order {node.id.slice(-8).toUpperCase()}</Link> of{' '}
                <time dateTime={node.createdAt}>{new Date(node.createdAt).toLocaleDateString()}</time>: {statusWord[node.status]},{' '}
                {formatMoney(node.total)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <Addresses />
      <Preferences preferences={me.notificationPreferences} />
      <Sessions sessions={data.mySessions} onChange={() => reexecute({ requestPolicy: 'network-only' })} />
      <TwoFactor
        key={String(me.totpEnabled)}
        enabled={me.totpEnabled}
        onChange={() => reexecute({ requestPolicy: 'network-only' })}
      />
    </>
  );
}
