import { Link } from 'react-router';

/** Any address the shop does not have. */
export default function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Back to the shop</Link>
      </p>
    </>
  );
}
