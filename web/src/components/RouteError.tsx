import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Whatever broke while rendering a page: said in words, with a way back. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Something went wrong.';
  return (
    <main id="main">
      <h1>Something went wrong</h1>
      <p role="alert">{message}</p>
      <p>
        <Link to="/">Back to the shop</Link>
      </p>
    </main>
  );
}
