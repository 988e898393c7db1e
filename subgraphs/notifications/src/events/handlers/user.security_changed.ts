import type { Handler } from './deps.js';
import { recordEmails } from './record.js';

/** Mails the owner whenever a second factor is added, removed or given new recovery codes. */
export const userSecurityChanged: Handler<'user.security_changed'> = async (event, deps) => {
  const user = event.data;
  await recordEmails(
    event,
    [{ recipientId: user.userId, to: user.email, input: { kind: 'SECURITY_CHANGED', name: user.name, change: user.change } }],
    deps,
  );
};
