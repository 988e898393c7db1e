import { RequireSession } from '../../components/RequireSession.js';
import { FailedNotifications } from './failed-notifications.js';
import { Orders } from './orders.js';
import { Products } from './products.js';

/** `/admin`: the shop's console, for admins only (the API refuses everyone else anyway). */
export default function AdminPage() {
  return (
    <RequireSession admin>
      {() => (
        <>
          <h1>Admin</h1>
          <Products />
          <Orders />
          <FailedNotifications />
        </>
      )}
    </RequireSession>
  );
}
