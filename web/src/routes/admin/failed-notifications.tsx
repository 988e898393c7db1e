import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { FailedNotificationsDocument, RetryNotificationDocument } from '../../gql/graphql.js';

// A constant: urql runs the query again whenever the context object changes.
const notificationTypenames = { additionalTypenames: ['Notification'] };

/** Emails that gave up, each with a retry. */
export function FailedNotifications() {
  const [{ data, fetching, error }] = useQuery({ query: FailedNotificationsDocument, context: notificationTypenames });
  const [retried, retry] = useMutation(RetryNotificationDocument);
  return (
    <section aria-labelledby="admin-failed">
      <h2 id="admin-failed">Failed notifications</h2>
      {error && <ErrorMessage error={error} />}
      {retried.error && <ErrorMessage error={retried.error} />}
      {fetching && !data && <Loading />}
      {data &&
        (data.failedNotifications.edges.length === 0 ? (
          <p>No failed notifications.</p>
        ) : (
          <ul className="notifications">
            {data.failedNotifications.edges.map(({ node }) => (
              <li key={node.id}>
                <strong>{node.subject}</strong> ({node.kind.toLowerCase().replace(/_/g, ' ')}), {node.attempts} attempts
                {node.lastError && `: ${node.lastError}`}{' '}
                <button type="button" disabled={retried.fetching} onClick={() => void retry({ id: node.id })}>
                  Retry
                </button>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
