import { useMutation } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { EndSessionDocument, type AccountQuery } from '../../gql/graphql.js';
import { forgetSession } from '../../session.js';

/** Where the user is logged in; ending the current session logs this tab out. */
export function Sessions({ sessions, onChange }: { sessions: AccountQuery['mySessions']; onChange: () => void }) {
  const [result, endSession] = useMutation(EndSessionDocument);
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      {sessions.length === 0 ? (
        <p>No other sessions.</p>
      ) : (
        <ul className="sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <span>
                Logged in <time dateTime={session.createdAt}>{new Date(session.createdAt).toLocaleString()}</time>, last used{' '}
                <time dateTime={session.lastUsedAt}>{new Date(session.lastUsedAt).toLocaleString()}</time>
                {session.current && <strong> (this browser)</strong>}
              </span>{' '}
              <button
                type="button"
                disabled={result.fetching}
                onClick={() =>
                  void endSession({ id: session.id }).then((answer) => {
                    if (answer.data && session.current) forgetSession();
                    else onChange();
                  })
                }
              >
                End session
              </button>
            </li>
          ))}
        </ul>
      )}
      {result.error && <ErrorMessage error={result.error} />}
    </section>
  );
}
