import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { RequestPasswordResetDocument, ResetPasswordDocument } from '../gql/graphql.js';

/** `/reset-password`: ask for a reset link; with `?token=` (the emailed link), choose a new password. */
export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return (
    <>
      <h1>Reset your password</h1>
      {token ? <NewPassword token={token} /> : <RequestLink />}
    </>
  );
}

function RequestLink() {
  const [email, setEmail] = useState('');
  const [result, request] = useMutation(RequestPasswordResetDocument);
  const id = useId();
  if (result.data) {
    return <p role="status">If an account exists for {email}, we sent it a link to reset the password. The link works once.</p>;
  }
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void request({ email });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      {result.error && <ErrorMessage error={result.error} />}
      <button type="submit" className="primary" disabled={result.fetching}>
        Send reset link
      </button>
    </form>
  );
}

function NewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [result, reset] = useMutation(ResetPasswordDocument);
  const id = useId();
  if (result.data?.resetPassword) {
    return (
      <p role="status">
        Your password is changed and every session has ended. <Link to="/login">Log in</Link> with the new one.
      </p>
    );
  }
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void reset({ token, newPassword: password });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-password`}>New password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      {result.error && <ErrorMessage error={result.error} />}
      {result.data && !result.data.resetPassword && (
        <ErrorMessage error="This link has expired or was used already. Ask for a new one." />
      )}
      <button type="submit" className="primary" disabled={result.fetching}>
        Set new password
      </button>
    </form>
  );
}
