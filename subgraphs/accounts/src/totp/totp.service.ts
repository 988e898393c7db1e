import type { ObjectId } from 'mongodb';
import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, UnauthenticatedError } from '@little-ecom/errors';
import type { SecretBox } from '@little-ecom/secrets';
import { parseObjectId } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import type { SingleUseGuard } from '../sessions/single-use.js';
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
  /** Seals secrets at rest (TOTP_SECRETS_KEY, else EVENT_SECRETS_KEY, else the development key file). */
  secrets: SecretBox;
  /** The issuer name authenticator apps show (TOTP_ISSUER). */
  issuer: string;
  clock: () => Date;
}

/** The outcome of the second-factor check at login. */
export type SecondFactor = 'not_enrolled' | 'missing' | 'invalid' | 'ok';

/** TOTP enrollment (start, confirm with a code) and the check at login, with one-time recovery codes. */
export function createTotpService({ users, singleUse, secrets, issuer, clock }: TotpServiceDeps) {
  const open = (sealed: string) => secrets.open(sealed, TOTP_SECRET_PURPOSE);
  const seal = (secret: string) => secrets.seal(secret, TOTP_SECRET_PURPOSE);
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

  return {
    /** A new secret for the caller (replacing an unconfirmed one); CONFLICT once a factor is confirmed. */
    async startEnrollment(scope: Scope): Promise<TotpEnrollment> {
      const user = await caller(scope);
      if (user.totp) throw new ConflictError('A second factor is already enrolled', 'totp');
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
      if (!(await users.enableTotp(user._id, user.totpPending.sealedSecret, factor)))
        throw new ConflictError('The enrollment changed meanwhile; start again', 'totp');
      scope.logger.info('totp enrolled', { userId: user._id.toHexString(), security: 'totp_enrolled' });
      return recoveryCodes;
    },

    /** For the create-admin command: enrolls at once (no code to confirm with) and returns what to show. */
    async enrollDirectly(userId: ObjectId, label: string): Promise<TotpEnrollment & { recoveryCodes: string[] }> {
      const secret = newTotpSecret();
      const { recoveryCodes, factor } = newFactor(secret);
      if (!(await users.enableTotp(userId, null, factor))) throw new Error('the account already has a second factor');
      return { secret, otpauthUri: otpauthUri(secret, label, issuer), recoveryCodes };
    },

    /** Checks a TOTP code (each time step once) or a recovery code (each once) of an enrolled user. */
    async check(user: UserDocument, code: string | null | undefined): Promise<SecondFactor> {
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
      const step = matchingStep(open(user.totp.sealedSecret), code, clock());
      return step !== null && (await claimStep(user._id, step)) ? 'ok' : 'invalid';
    },
  };
}

export type TotpService = ReturnType<typeof createTotpService>;
