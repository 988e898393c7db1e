import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSession, type SessionUser } from '../session.js';
import { Loading } from './Loading.js';

/**
 * Renders its children for a signed-in user (an admin, with `admin`); otherwise says why not, with
 * a link to log in that comes back here.
 */
export function RequireSession({ admin = false, children }: { admin?: boolean; children: (user: SessionUser) => ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'anonymous') {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <>
        <h1>Please log in</h1>
        <p>
          You need an account for this page. <Link to={`/login?next=${next}`}>Continue to log-in</Link> or{' '}
          <Link to="/signup">create an account</Link>.
        </p>
      </>
    );
  }
  if (admin && session.user.role !== 'ADMIN') {
    return (
      <>
        <h1>Admins only</h1>
        <p role="alert">This page is for shop administrators. You are signed in as a customer.</p>
      </>
    );
  }
  return <>{children(session.user)}</>;
}
