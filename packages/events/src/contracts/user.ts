import { z } from 'zod';
import { aggregateVersion, id, isoDate, nonEmpty } from './common.js';

const userData = z.object({ userId: id, email: nonEmpty, name: nonEmpty, role: nonEmpty, aggregateVersion });

/** The purpose a reset token is sealed for (the authenticated data of its SecretBox seal). */
export const RESET_TOKEN_PURPOSE = 'user.password_reset_requested.resetToken';

const passwordResetRequested = z.object({
  userId: id,
  email: nonEmpty,
  name: nonEmpty,
  /** The reset token sealed for RESET_TOKEN_PURPOSE with the shared event secrets key (@little-ecom/secrets): never the raw token. */
  sealedResetToken: z.string().startsWith('v1.'),
  expiresAt: isoDate,
  aggregateVersion,
});

/** A change to how the user signs in, announced to the owner (who may not have made it). */
const securityChanged = z.object({
  userId: id,
  email: nonEmpty,
  name: nonEmpty,
  change: z.enum(['totp_enrolled', 'totp_removed', 'recovery_codes_regenerated']),
  aggregateVersion,
});

/** The `user.*` events accounts publishes; the aggregate is the user (`userId`). */
export const userEvents = {
  'user.registered': userData,
  'user.updated': userData,
  'user.password_reset_requested': passwordResetRequested,
  'user.security_changed': securityChanged,
} as const;

export type UserData = z.output<typeof userData>;
export type UserRegisteredData = UserData;
export type UserUpdatedData = UserData;
export type PasswordResetRequestedData = z.output<typeof passwordResetRequested>;
export type SecurityChangedData = z.output<typeof securityChanged>;
