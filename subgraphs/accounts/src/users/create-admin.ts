import { InputProblems } from '@little-ecom/errors';
import { isDuplicateKeyError } from '@little-ecom/mongo';
import type { PasswordHasher } from '../passwords/password.hasher.js';
import type { SessionService } from '../sessions/session.service.js';
import { passwordProblem } from '../passwords/password.policy.js';
import type { TotpEnrollment, TotpService } from '../totp/totp.service.js';
import { userRegistered } from './user.events.js';
import { newUserId, type UserDocument, type UserRepository } from './user.repository.js';
import { changeRole } from './user.service.js';
import { isValidEmail, normalizeEmail, normalizeName } from './user.validation.js';

export interface CreateAdminInput {
  email: string;
  /** Needed only when the account does not exist yet; an existing account keeps its password. */
  password?: string | undefined;
  name?: string | undefined;
  /** Enrolls a TOTP second factor at once (required for admins in production); shown in the result only. */
  enrollTotp?: boolean | undefined;
}

export interface CreateAdminResult {
  outcome: 'created' | 'promoted' | 'already_admin';
  user: UserDocument;
  /** Sessions a promotion ended (the account logs in again to get ADMIN tokens). */
  endedSessions?: number;
  /** With `enrollTotp`: the new secret, its otpauth URI and the recovery codes; `already_enrolled` when it had one. */
  totp?: (TotpEnrollment & { recoveryCodes: string[] }) | 'already_enrolled';
}

/**
 * The first admin cannot come from GraphQL (only admins grant ADMIN): this creates the account with
 * role ADMIN, or promotes an existing one. Behind `createServices(...).createAdmin`: `npm run create-admin` and tests.
 */
export async function createOrPromoteAdmin(
  deps: { users: UserRepository; sessions: SessionService; hasher: PasswordHasher; totp: TotpService; clock: () => Date },
  input: CreateAdminInput,
  correlationId: string,
): Promise<CreateAdminResult> {
  const result = await createOrPromote(deps, input, correlationId);
  if (!input.enrollTotp) return result;
  if (result.user.totp) return { ...result, totp: 'already_enrolled' };
  return { ...result, totp: await deps.totp.enrollDirectly({ correlationId }, result.user) };
}

async function createOrPromote(
  {
    users,
    sessions,
    hasher,
    clock,
  }: { users: UserRepository; sessions: SessionService; hasher: PasswordHasher; clock: () => Date },
  input: CreateAdminInput,
  correlationId: string,
): Promise<CreateAdminResult> {
  const email = normalizeEmail(input.email);
  const problems = new InputProblems();
  if (!isValidEmail(email)) problems.add('email', 'must be a valid email address');
  problems.throwIfAny();

  const existing = await users.findByEmail(email);
  if (existing) {
    if (existing.role === 'ADMIN') return { outcome: 'already_admin', user: existing };
    const promoted = await changeRole({ users, sessions, clock }, existing._id, 'ADMIN', correlationId);
    if (!promoted) throw new Error('the account disappeared while being promoted');
    return { outcome: 'promoted', user: promoted.user, endedSessions: promoted.endedSessions };
  }

  const name = normalizeName(input.name ?? 'Administrator');
  if (input.password === undefined) problems.add('password', 'is required to create a new account');
  else {
    const problem = passwordProblem(input.password, { email, name });
    if (problem) problems.add('password', problem);
  }
  problems.throwIfAny();
  const passwordHash = await hasher.hash(input.password!);
  const now = clock();
  const _id = newUserId();
  const event = userRegistered({ correlationId }, { _id, email, name, role: 'ADMIN' }, now);
  try {
    const user = await users.insert({ _id, email, name, role: 'ADMIN', passwordHash }, event, now);
    return { outcome: 'created', user };
  } catch (error) {
    // Someone signed up with this email in the meantime. Promoting that account silently would hand
    // ADMIN to whoever won the race, so the operator has to look and run the command again.
    if (isDuplicateKeyError(error))
      throw new Error('an account with this email was created meanwhile; check it, then run again to promote it');
    throw error;
  }
}
