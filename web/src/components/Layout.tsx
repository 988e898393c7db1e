import { Suspense } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { GuestCartMerger, useCart } from '../guest-cart.js';
import { logOut, useSession } from '../session.js';
import { Loading } from './Loading.js';

/** Header with the session's links, then the page. */
export function Layout() {
  const session = useSession();
  const navigate = useNavigate();
  const signedIn = session.status === 'authenticated';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          little-ecom
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/">Shop</NavLink>
            </li>
            <li>
              <CartLink />
            </li>
            {session.status === 'anonymous' && (
              <>
                <li>
                  <NavLink to="/login">Log in</NavLink>
                </li>
                <li>
                  <NavLink to="/signup">Sign up</NavLink>
                </li>
              </>
            )}
            {signedIn && (
              <>
                <li>
                  <NavLink to="/account">Account</NavLink>
                </li>
                {session.user.role === 'ADMIN' && (
                  <li>
                    <NavLink to="/admin">Admin</NavLink>
                  </li>
                )}
                <li>
                  <button type="button" className="link-button" onClick={() => void logOut().then(() => navigate('/'))}>
                    Log out
                  </button>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>little-ecom, a storefront on a federated GraphQL API.</p>
      </footer>
    </>
  );
}

/** The header's cart link with the units in it: the account's cart, or the guest cart. */
function CartLink() {
  const { cart } = useCart();
  const units = cart?.items.reduce((sum, item) => sum + item.quantity, 0) ?? 0;
  return (
    <>
      <GuestCartMerger />
      <NavLink to="/cart">{units > 0 ? `Cart (${units})` : 'Cart'}</NavLink>
    </>
  );
}
