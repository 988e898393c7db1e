import type { ObjectId } from 'mongodb';
import type { Role } from '@little-ecom/auth';
import { buildEvent, type EventData, type EventType } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import { nextUserVersion, type UserDocument } from './user.repository.js';

/** What an event needs from the scope that causes it; the create-admin command passes its own. */
export type EventScope = Pick<Scope, 'correlationId'>;

/** Every event accounts produces goes through here: one source, the cause's correlation id, the write's time. */
const accountsEvent = <T extends EventType>(scope: EventScope, type: T, data: EventData<T>, occurredAt: Date) =>
  buildEvent(type, data, { source: 'accounts', correlationId: scope.correlationId, occurredAt });

/** A new account, by sign-up or by the create-admin command: always version 1. */
export const userRegistered = (
  scope: EventScope,
  user: { _id: ObjectId; email: string; name: string; role: Role },
  occurredAt: Date,
) =>
  accountsEvent(
    scope,
    'user.registered',
    { userId: user._id.toHexString(), email: user.email, name: user.name, role: user.role, aggregateVersion: 1 },
    occurredAt,
  );

/** The user's role changes from `current`'s to `role`, at the user's next version. */
export const userUpdated = (scope: EventScope, current: UserDocument, role: Role, occurredAt: Date) =>
  accountsEvent(
    scope,
    'user.updated',
    {
      userId: current._id.toHexString(),
      email: current.email,
      name: current.name,
      role,
      aggregateVersion: nextUserVersion(current),
    },
    occurredAt,
  );

/** Carries the reset token sealed (only the email may show it in the clear). */
export const passwordResetRequested = (
  scope: EventScope,
  user: Pick<UserDocument, '_id' | 'email' | 'name' | 'version'>,
  reset: { sealedResetToken: string; expiresAt: Date },
  occurredAt: Date,
) =>
  accountsEvent(
    scope,
    'user.password_reset_requested',
    {
      userId: user._id.toHexString(),
      email: user.email,
      name: user.name,
      sealedResetToken: reset.sealedResetToken,
      expiresAt: reset.expiresAt.toISOString(),
      // A reset changes nothing consumers project: it carries the user's version without bumping it.
      aggregateVersion: user.version ?? 1,
    },
    occurredAt,
  );

/** A second factor was enrolled, removed or given new recovery codes: the owner is told by email. */
export const securityChanged = (
  scope: EventScope,
  user: UserDocument,
  change: 'totp_enrolled' | 'totp_removed' | 'recovery_codes_regenerated',
  occurredAt: Date,
) =>
  accountsEvent(
    scope,
    'user.security_changed',
    {
      userId: user._id.toHexString(),
      email: user.email,
      name: user.name,
      change,
      // Nothing consumers project changes: the user's version without a bump.
      aggregateVersion: user.version ?? 1,
    },
    occurredAt,
  );
