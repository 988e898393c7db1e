import type { Handler } from './deps.js';
import { recordEmails } from './record.js';

/** Mails the reset link; the token stays sealed in the stored notification (opened when sending). */
export const userPasswordResetRequested: Handler<'user.password_reset_requested'> = async (event, deps) => {
  const reset = event.data;
  await recordEmails(
    event,
    [
      {
        recipientId: reset.userId,
        to: reset.email,
        input: { kind: 'PASSWORD_RESET', name: reset.name, sealedResetToken: reset.sealedResetToken, expiresAt: reset.expiresAt },
      },
    ],
    deps,
  );
};
