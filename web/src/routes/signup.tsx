import { useId, useState, type ChangeEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { SignUpDocument } from '../gql/graphql.js';
import { nextPath } from '../next-page.js';
import { startSession } from '../session.js';

/** `/signup`: a new customer account, signed in at once. */
export default function SignUp() {
  const [input, setInput] = useState({ name: '', email: '', password: '' });
  const [result, signUp] = useMutation(SignUpDocument);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const id = useId();
  const set = (key: keyof typeof input) => (e: ChangeEvent<HTMLInputElement>) => setInput({ ...input, [key]: e.target.value });

  return (
    <>
      <h1>Sign up</h1>
      <form
        className="stack"
        aria-describedby={result.error ? `${id}-error` : undefined}
        onSubmit={(event) => {
          event.preventDefault();
          void signUp({ input }).then((answer) => {
            if (answer.data) {
              startSession(answer.data.signUp);
              void navigate(nextPath(params));
            }
          });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} autoComplete="name" required value={input.name} onChange={set('name')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input id={`${id}-email`} type="email" autoComplete="email" required value={input.email} onChange={set('email')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            aria-describedby={`${id}-password-hint`}
            value={input.password}
            onChange={set('password')}
          />
          <p className="hint" id={`${id}-password-hint`}>
            8 to 128 characters; very common passwords are refused.
          </p>
        </div>
        {result.error && <ErrorMessage id={`${id}-error`} error={result.error} />}
        <button type="submit" className="primary" disabled={result.fetching}>
          Sign up
        </button>
      </form>
      <p>
        Have an account? <Link to="/login">Log in instead</Link>
      </p>
    </>
  );
}
