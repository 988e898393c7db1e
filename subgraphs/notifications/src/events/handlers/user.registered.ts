import type { Handler } from './deps.js';
import { releaseAwaitingEmails } from './order-email.js';
import { recordEmails } from './record.js';

/** Projects the new user, welcomes them, and records the order emails that waited for them. */
export const userRegistered: Handler<'user.registered'> = async (event, deps) => {
  const user = event.data;
  await deps.users.project(user, event.occurredAt, user.aggregateVersion);
  await recordEmails(event, [{ recipientId: user.userId, to: user.email, input: { kind: 'WELCOME', name: user.name } }], deps);
  await releaseAwaitingEmails(user.userId, deps);
};
