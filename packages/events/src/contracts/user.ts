import { z } from 'zod';
import { aggregateVersion, id, isoDate, nonEmpty } from './common.js';

const userData = z.object({ userId: id, email: nonEmpty, name: nonEmpty, role: nonEmpty, aggregateVersion });

const passwordResetRequested = z.object({
  userId: id,
  email: nonEmpty,
  name: nonEmpty,
  /** The reset token sealed with the shared event secrets key (see secrets.ts): never the raw token. */
  sealedResetToken: z.string().startsWith('v1.'),
  expiresAt: isoDate,
  aggregateVersion,
});

/** The `user.*` events accounts publishes; the aggregate is the user (`userId`). */
export const userEvents = {
  'user.registered': userData,
  'user.updated': userData,
  'user.password_reset_requested': passwordResetRequested,
} as const;

export type UserData = z.output<typeof userData>;
export type UserRegisteredData = UserData;
export type UserUpdatedData = UserData;
export type PasswordResetRequestedData = z.output<typeof passwordResetRequested>;
