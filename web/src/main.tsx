import { StrictMode, useMemo, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { Provider } from 'urql';
import { createGraphqlClient } from './client.js';
import { Layout } from './components/Layout.js';
import { RouteError } from './components/RouteError.js';
import { refresh, useSession } from './session.js';
import './styles.css';

// Each page is its own chunk, loaded when first visited: the catalog does not carry the admin console.
const page = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

const routes: RouteObject[] = [
  {
    Component: Layout,
    ErrorBoundary: RouteError,
    children: [
      { index: true, ...page(() => import('./routes/catalog.js')) },
      { path: 'products/:slug', ...page(() => import('./routes/product.js')) },
      { path: 'cart', ...page(() => import('./routes/cart.js')) },
      { path: 'checkout', ...page(() => import('./routes/checkout.js')) },
      { path: 'orders/:id', ...page(() => import('./routes/order.js')) },
      { path: 'account', ...page(() => import('./routes/account/index.js')) },
      { path: 'login', ...page(() => import('./routes/login.js')) },
      { path: 'signup', ...page(() => import('./routes/signup.js')) },
      { path: 'reset-password', ...page(() => import('./routes/reset-password.js')) },
      { path: 'admin', ...page(() => import('./routes/admin/index.js')) },
      { path: 'admin/products/new', ...page(() => import('./routes/admin/product-form.js')) },
      { path: 'admin/products/:id', ...page(() => import('./routes/admin/product-form.js')) },
      { path: '*', ...page(() => import('./routes/not-found.js')) },
    ],
  },
];

const router = createBrowserRouter(routes);

function App() {
  const session = useSession();
  const userId = session.status === 'authenticated' ? session.user.id : null;
  // A fresh client (and so a fresh cache) whenever the signed-in user changes.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const client = useMemo(() => createGraphqlClient(), [userId]);
  return (
    <Provider value={client}>
      <RouterProvider router={router} />
    </Provider>
  );
}

// Restore the session from its cookie while the first page loads.
void refresh();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
