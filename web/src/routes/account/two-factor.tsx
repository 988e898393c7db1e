import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { ConfirmTotpEnrollmentDocument, StartTotpEnrollmentDocument } from '../../gql/graphql.js';

/** TOTP enrollment: show the secret, confirm a code from the app, then show the recovery codes once. */
export function TwoFactor({ enabled }: { enabled: boolean }) {
  const [started, start] = useMutation(StartTotpEnrollmentDocument);
  const [confirmed, confirm] = useMutation(ConfirmTotpEnrollmentDocument);
  const [code, setCode] = useState('');
  const id = useId();
  const enrollment = started.data?.startTotpEnrollment;
  const recoveryCodes = confirmed.data?.confirmTotpEnrollment;

  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Two-factor authentication</h2>
      {recoveryCodes ? (
        <>
          <p role="status">Two-factor authentication is on. Keep these recovery codes offline: each works once.</p>
          <ul className="recovery-codes" aria-label="Recovery codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </>
      ) : enabled ? (
        <p>Two-factor authentication is on: logging in asks for a code from your authenticator app.</p>
      ) : enrollment ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void confirm({ code: code.trim() });
          }}
        >
          <p>Add this account to your authenticator app with the link, or type the secret, then enter a code it shows.</p>
          <p>
            <a href={enrollment.otpauthUri}>Open in authenticator app</a>
          </p>
          <p>
            Secret: <code aria-label="Secret">{enrollment.secret}</code>
          </p>
          <div className="field">
            <label htmlFor={`${id}-code`}>Authentication code</label>
            <input
              id={`${id}-code`}
              autoComplete="one-time-code"
              inputMode="numeric"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </div>
          {confirmed.error && <ErrorMessage error={confirmed.error} />}
          <button type="submit">Confirm code</button>
        </form>
      ) : (
        <>
          <p>Protect your account with a code from an authenticator app at every log-in.</p>
          {started.error && <ErrorMessage error={started.error} />}
          <button type="button" disabled={started.fetching} onClick={() => void start({})}>
            Set up two-factor authentication
          </button>
        </>
      )}
    </section>
  );
}
