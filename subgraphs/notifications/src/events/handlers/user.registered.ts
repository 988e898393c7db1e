import type { Handler } from './deps.js';
import { recordEmails } from './record.js';

/** Projects the new user and welcomes them. */
export const userRegistered: Handler<'user.registered'> = async (event, deps) => {
  const user = event.data;
  await deps.users.project(user, event.occurredAt, user.aggregateVersion);
  await recordEmails(event, [{ recipientId: user.userId, to: user.email, input: { kind: 'WELCOME', name: user.name } }], deps);
};
