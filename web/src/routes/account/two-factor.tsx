import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import {
  ConfirmTotpEnrollmentDocument,
  RegenerateRecoveryCodesDocument,
  RemoveTotpDocument,
  StartTotpEnrollmentDocument,
} from '../../gql/graphql.js';

/** Codes shown once, after enrollment or regeneration. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <>
      <p role="status">Keep these recovery codes offline: each logs you in once in place of a code.</p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The current password, which every change of the second factor asks for (the API refuses it without). */
function CurrentPassword({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Current password</label>
      <input
        id={id}
        type="password"
        autoComplete="current-password"
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/**
 * TOTP: enroll (current password, then a code from the app; the recovery codes are shown once), and
 * once on, turn it off or replace the recovery codes (current password again).
 */
export function TwoFactor({ enabled, onChange }: { enabled: boolean; onChange: () => void }) {
  const [started, start] = useMutation(StartTotpEnrollmentDocument);
  const [confirmed, confirm] = useMutation(ConfirmTotpEnrollmentDocument);
  const [removed, remove] = useMutation(RemoveTotpDocument);
  const [regenerated, regenerate] = useMutation(RegenerateRecoveryCodesDocument);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const id = useId();
  const enrollment = started.data?.startTotpEnrollment;
  const recoveryCodes = confirmed.data?.confirmTotpEnrollment ?? regenerated.data?.regenerateRecoveryCodes;
  const error = started.error ?? removed.error ?? regenerated.error;

  let body;
  if (confirmed.data) {
    body = (
      <>
        <p>Two-factor authentication is on: logging in asks for a code from your authenticator app.</p>
        {recoveryCodes && <RecoveryCodes codes={recoveryCodes} />}
      </>
    );
  } else if (enabled) {
    body = (
      <form className="stack" onSubmit={(event) => event.preventDefault()}>
        <p>Two-factor authentication is on: logging in asks for a code from your authenticator app.</p>
        {recoveryCodes && <RecoveryCodes codes={recoveryCodes} />}
        <CurrentPassword value={password} onChange={setPassword} />
        {error && <ErrorMessage error={error} />}
        <div className="actions">
          <button
            type="button"
            disabled={!password || regenerated.fetching}
            onClick={() => void regenerate({ password }).then(() => setPassword(''))}
          >
            New recovery codes
          </button>
          <button
            type="button"
            disabled={!password || removed.fetching}
            onClick={() =>
              void remove({ password }).then((result) => {
                if (!result.error) onChange();
              })
            }
          >
            Turn off two-factor authentication
          </button>
        </div>
      </form>
    );
  } else if (enrollment) {
    body = (
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
    );
  } else {
    body = (
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void start({ password }).then(() => setPassword(''));
        }}
      >
        <p>Protect your account with a code from an authenticator app at every log-in.</p>
        <CurrentPassword value={password} onChange={setPassword} />
        {error && <ErrorMessage error={error} />}
        <button type="submit" disabled={started.fetching}>
          Set up two-factor authentication
        </button>
      </form>
    );
  }

  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Two-factor authentication</h2>
      {body}
    </section>
  );
}
