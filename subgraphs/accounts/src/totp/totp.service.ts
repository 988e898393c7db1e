import { GraphQLError } from 'graphql';
import type { ObjectId } from 'mongodb';
import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ErrorCode, UnauthenticatedError } from '@little-ecom/errors';
import type { SecretBox } from '@little-ecom/secrets';
import { parseObjectId } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import { logSecurityEvent } from '../auth/security-log.js';
import type { PasswordHasher } from '../passwords/password.hasher.js';
import { PASSWORD_MAX_LENGTH } from '../passwords/password.policy.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SingleUseGuard } from '../sessions/single-use.js';
import type { LoginThrottle } from '../throttle/login-throttle.js';
import { securityChanged, type EventScope } from '../users/user.events.js';
import type { UserDocument, UserRepository } from '../users/user.repository.js';
import { hashRecoveryCode, isRecoveryCodeShape, matchingStep, newRecoveryCodes, newTotpSecret, otpauthUri } from './totp.js';

/** What sealed TOTP secrets are bound to (authenticated data of the SecretBox). */
export const TOTP_SECRET_PURPOSE = 'accounts.user.totp.secret';

export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
}

export interface TotpServiceDeps {
  users: UserRepository;
  /** Each TOTP time step and each recovery code works once, across replicas (a unique insert). */
  singleUse: SingleUseGuard;
  /** Seals secrets at rest (TOTP_SECRETS_KEY, or its development key file). */
  secrets: SecretBox;
  /**
   * The key secrets were sealed with before TOTP had its own (EVENT_SECRETS_KEY): read once, then the
   * secret is sealed again with `secrets`. Absent once every factor was migrated (docs/auth.md).
   */
  legacySecrets?: SecretBox | undefined;
  /** Checks the password given as proof. */
  hasher: PasswordHasher;
  /** Proofs count against the login throttle (per account and address), so they cannot be guessed. */
  throttle: LoginThrottle;
  /** A factor change ends every other session of the user. */
  sessions: SessionService;
  /** The issuer name authenticator apps show (TOTP_ISSUER). */
  issuer: string;
  clock: () => Date;
}

/** The outcome of the second-factor check at login. */
export type SecondFactor = 'not_enrolled' | 'missing' | 'invalid' | 'ok';

/** Recent proof of who the caller is, besides the bearer token: the password, or a current TOTP or recovery code. */
export interface FactorProof {
  password?: string | null | undefined;
  code?: string | null | undefined;
}

const proofRefused = () =>
  new GraphQLError('Confirm with your password or a current code from your authenticator app', {
    extensions: { code: ErrorCode.FORBIDDEN, reason: 'REAUTHENTICATION_REQUIRED' },
  });

/**
 * TOTP enrollment (start, confirm with a code), removal and new recovery codes, and the check at login.
 * Every change needs recent proof (a stolen access token alone cannot bind or remove a factor), ends
 * the user's other sessions and emits `user.security_changed`, which notifications mails to the owner.
 */
export function createTotpService(deps: TotpServiceDeps) {
  const { users, singleUse, secrets, issuer, clock } = deps;
  const seal = (secret: string) => secrets.seal(secret, TOTP_SECRET_PURPOSE);
  /** Opens with the TOTP key; a secret still sealed with the legacy key is opened with it and sealed again. */
  async function openFactor(user: UserDocument, sealed: string): Promise<string> {
    try {
      return secrets.open(sealed, TOTP_SECRET_PURPOSE);
    } catch (error) {
      if (!deps.legacySecrets) throw error;
      const secret = deps.legacySecrets.open(sealed, TOTP_SECRET_PURPOSE);
      if (user.totp?.sealedSecret === sealed) await users.resealTotp(user._id, sealed, seal(secret));
      return secret;
    }
  }
  const open = (sealed: string) => {
    try {
      return secrets.open(sealed, TOTP_SECRET_PURPOSE);
    } catch (error) {
      if (!deps.legacySecrets) throw error;
      return deps.legacySecrets.open(sealed, TOTP_SECRET_PURPOSE);
    }
  };
  // RFC 6238 section 5.2: a code is accepted once; its marker outlives the step window it is valid in.
  const claimStep = (userId: ObjectId, step: number) =>
    singleUse.claim('totp', `${userId.toHexString()}:${step}`, new Date(clock().getTime() + 5 * 60_000), clock());

  async function caller(scope: Scope): Promise<UserDocument> {
    const id = parseObjectId(requireViewer(scope.auth).userId);
    const user = id ? await users.findById(id) : null;
    if (!user) throw new UnauthenticatedError('Authentication required');
    return user;
  }

  /** A confirmed factor from a fresh secret; the recovery codes are returned once and stored hashed. */
  function newFactor(secret: string) {
    const recoveryCodes = newRecoveryCodes();
    return {
      recoveryCodes,
      factor: { sealedSecret: seal(secret), enabledAt: clock(), recoveryCodeHashes: recoveryCodes.map(hashRecoveryCode) },
    };
  }

  /** The second-factor check at login and for proofs: each TOTP step and each recovery code works once. */
  async function check(user: UserDocument, code: string | null | undefined): Promise<SecondFactor> {
    if (!user.totp) return 'not_enrolled';
    if (!code?.trim()) return 'missing';
    if (isRecoveryCodeShape(code)) {
      const hash = hashRecoveryCode(code);
      if (!user.totp.recoveryCodeHashes.includes(hash)) return 'invalid';
      // The claim decides who used it (kept for years: the factor may live that long); the list is then tidied.
      const forever = new Date(clock().getTime() + 10 * 365 * 86_400_000);
      if (!(await singleUse.claim('recovery', `${user._id.toHexString()}:${hash}`, forever, clock()))) return 'invalid';
      await users.removeRecoveryCode(user._id, hash);
      return 'ok';
    }
    const step = matchingStep(await openFactor(user, user.totp.sealedSecret), code, clock());
    return step !== null && (await claimStep(user._id, step)) ? 'ok' : 'invalid';
  }

  /**
   * Recent re-authentication for a factor change: the password, or a current code of the enrolled
   * factor. Counted by the login throttle like a login (a wrong proof is a failure), so neither can be guessed.
   */
  async function requireProof(scope: Scope, user: UserDocument, proof: FactorProof): Promise<void> {
    const attempt = await deps.throttle.begin({ email: user.email, clientIp: scope.clientIp ?? 'unknown' });
    let ok = false;
    if (proof.password) {
      ok = proof.password.length <= PASSWORD_MAX_LENGTH * 4 && (await deps.hasher.verify(user.passwordHash, proof.password));
    } else if (proof.code && user.totp) {
      ok = (await check(user, proof.code)) === 'ok';
    }
    if (!ok) {
      await attempt.failed();
      logSecurityEvent(scope, 'reauthentication_failed', { userId: user._id.toHexString(), email: user.email }, 'warn');
      throw proofRefused();
    }
    await attempt.succeeded();
  }

  /** After a factor change: the other sessions end (a thief's with them) and the owner is told. */
  async function afterChange(scope: Scope, user: UserDocument, change: string): Promise<void> {
    const ended = await deps.sessions.revokeAllOfUser(user._id, 'factor_changed', requireViewer(scope.auth).sessionId);
    logSecurityEvent(scope, 'factor_changed', { userId: user._id.toHexString(), reason: change, endedSessions: ended });
  }

  const changeEvent = (scope: EventScope, user: UserDocument, change: Parameters<typeof securityChanged>[2]) =>
    securityChanged(scope, user, change, clock());

  return {
    /**
     * A new secret for the caller (replacing an unconfirmed one) after proof with the password;
     * CONFLICT once a factor is confirmed (remove it first to replace it).
     */
    async startEnrollment(scope: Scope, password: string): Promise<TotpEnrollment> {
      const user = await caller(scope);
      if (user.totp) throw new ConflictError('A second factor is already enrolled', 'totp');
      await requireProof(scope, user, { password });
      const secret = newTotpSecret();
      if (!(await users.setPendingTotp(user._id, { sealedSecret: seal(secret), createdAt: clock() })))
        throw new ConflictError('A second factor is already enrolled', 'totp');
      scope.logger.info('totp enrollment started', { userId: user._id.toHexString(), security: 'totp_enrollment_started' });
      return { secret, otpauthUri: otpauthUri(secret, user.email, issuer) };
    },

    /** Confirms the started enrollment with a current code; returns the recovery codes (shown only now). */
    async confirmEnrollment(scope: Scope, code: string): Promise<string[]> {
      const user = await caller(scope);
      if (user.totp) throw new ConflictError('A second factor is already enrolled', 'totp');
      if (!user.totpPending) throw new BadUserInputError('Start the enrollment first (startTotpEnrollment)', 'code');
      const secret = open(user.totpPending.sealedSecret);
      const step = matchingStep(secret, code, clock());
      if (step === null || !(await claimStep(user._id, step)))
        throw new BadUserInputError('The code is not valid; check the time on the device', 'code');
      const { recoveryCodes, factor } = newFactor(secret);
      if (!(await users.enableTotp(user._id, user.totpPending.sealedSecret, factor, changeEvent(scope, user, 'totp_enrolled'))))
        throw new ConflictError('The enrollment changed meanwhile; start again', 'totp');
      await afterChange(scope, user, 'totp_enrolled');
      return recoveryCodes;
    },

    /** Removes the caller's factor after proof (password or a current code); ends the other sessions. */
    async remove(scope: Scope, proof: FactorProof): Promise<boolean> {
      const user = await caller(scope);
      if (!user.totp) throw new BadUserInputError('No second factor is enrolled', 'totp');
      await requireProof(scope, user, proof);
      if (!(await users.removeTotp(user._id, user.totp.sealedSecret, changeEvent(scope, user, 'totp_removed'))))
        throw new ConflictError('The second factor changed meanwhile; try again', 'totp');
      await afterChange(scope, user, 'totp_removed');
      return true;
    },

    /** Ten new recovery codes after proof (password or a current code); the old ones stop working. */
    async regenerateRecoveryCodes(scope: Scope, proof: FactorProof): Promise<string[]> {
      const user = await caller(scope);
      if (!user.totp) throw new BadUserInputError('No second factor is enrolled', 'totp');
      await requireProof(scope, user, proof);
      const recoveryCodes = newRecoveryCodes();
      const event = changeEvent(scope, user, 'recovery_codes_regenerated');
      if (!(await users.replaceRecoveryCodes(user._id, user.totp.sealedSecret, recoveryCodes.map(hashRecoveryCode), event)))
        throw new ConflictError('The second factor changed meanwhile; try again', 'totp');
      await afterChange(scope, user, 'recovery_codes_regenerated');
      return recoveryCodes;
    },

    /** For the create-admin command: enrolls at once (no code to confirm with) and returns what to show. */
    async enrollDirectly(
      scope: EventScope,
      user: UserDocument,
    ): Promise<TotpEnrollment & { recoveryCodes: string[]; endedSessions: number }> {
      const secret = newTotpSecret();
      const { recoveryCodes, factor } = newFactor(secret);
      if (!(await users.enableTotp(user._id, null, factor, changeEvent(scope, user, 'totp_enrolled'))))
        throw new Error('the account already has a second factor');
      const endedSessions = await deps.sessions.revokeAllOfUser(user._id, 'factor_changed');
      const label = user.email;
      return { secret, otpauthUri: otpauthUri(secret, label, issuer), recoveryCodes, endedSessions };
    },

    /** Checks a TOTP code (each time step once) or a recovery code (each once) of an enrolled user. */
    check,
  };
}

export type TotpService = ReturnType<typeof createTotpService>;
