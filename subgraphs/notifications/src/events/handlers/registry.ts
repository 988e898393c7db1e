import type { EventType } from '@little-ecom/events';
import type { Handler } from './deps.js';
import { recordOrderEmail } from './order-email.js';
import { productCreated } from './product.created.js';
import { productDeleted } from './product.deleted.js';
import { productUpdated } from './product.updated.js';
import { userPasswordResetRequested } from './user.password_reset_requested.js';
import { userRegistered } from './user.registered.js';
import { userSecurityChanged } from './user.security_changed.js';
import { userUpdated } from './user.updated.js';

/** The event types notifications acts on; any other type is acknowledged and ignored. */
export const eventHandlers: { [T in EventType]?: Handler<T> } = {
  'user.registered': userRegistered,
  'user.updated': userUpdated,
  'user.password_reset_requested': userPasswordResetRequested,
  'user.security_changed': userSecurityChanged,
  'product.created': productCreated,
  'product.updated': productUpdated,
  'product.deleted': productDeleted,
  'order.confirmed': recordOrderEmail,
  'order.rejected': recordOrderEmail,
  'order.shipped': recordOrderEmail,
  'order.cancelled': recordOrderEmail,
};
