import { useId, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { errorCode } from '../errors.js';
import { LogInDocument } from '../gql/graphql.js';
import { nextPath } from '../next-page.js';
import { startSession } from '../session.js';

/** `/login`: email and password, then the authenticator code when the account has a second factor. */
export default function LogIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [result, logIn] = useMutation(LogInDocument);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const id = useId();
  const reason = errorCode(result.error).reason;
  // The first TOTP_REQUIRED answer only asks for the code: it is not an error to show.
  const showError = result.error && !(reason === 'TOTP_REQUIRED' && !code);

  return (
    <>
      <h1>Log in</h1>
      <form
        className="stack"
        aria-describedby={showError ? `${id}-error` : undefined}
        onSubmit={(event) => {
          event.preventDefault();
          void logIn({ email, password, ...(needsCode && code ? { totpCode: code.trim() } : {}) }).then((answer) => {
            if (answer.data) {
              startSession(answer.data.logIn);
              void navigate(nextPath(params));
            } else if (errorCode(answer.error).reason === 'TOTP_REQUIRED') setNeedsCode(true);
          });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {needsCode && (
          <div className="field">
            <label htmlFor={`${id}-code`}>Authentication code</label>
            <input
              id={`${id}-code`}
              autoComplete="one-time-code"
              inputMode="numeric"
              required
              autoFocus
              aria-describedby={`${id}-code-hint`}
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <p className="hint" id={`${id}-code-hint`}>
              The 6-digit code from your authenticator app, or one of your recovery codes.
            </p>
          </div>
        )}
        {showError && <ErrorMessage id={`${id}-error`} error={result.error!} />}
        <button type="submit" className="primary" disabled={result.fetching}>
          Log in
        </button>
      </form>
      <p>
        <Link to="/reset-password">Forgot password?</Link>
      </p>
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}
