import { GraphQLError } from 'graphql';
import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ErrorCode, RateLimitedError, UnauthenticatedError } from '@little-ecom/errors';
import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import type { SecretBox } from '@little-ecom/secrets';
import { isDuplicateKeyError, parseObjectId } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import type { PasswordHasher } from '../passwords/password.hasher.js';
import { PASSWORD_MAX_LENGTH } from '../passwords/password.policy.js';
import { hashSecretToken, isPlausibleSecretToken, newSecretToken } from '../sessions/secret-token.js';
import type { SessionService } from '../sessions/session.service.js';
import type { AuthSettings } from '../config.js';
import type { SingleUseGuard } from '../sessions/single-use.js';
import {
  actionByAccount,
  actionByAddress,
  type Limit,
  type LoginAttempt,
  type LoginThrottle,
} from '../throttle/login-throttle.js';
import { logSecurityEvent } from './security-log.js';
import type { AccessTokenIssuer } from '../tokens/access-token.js';
import type { TotpService } from '../totp/totp.service.js';
import { passwordResetRequested, userRegistered } from '../users/user.events.js';
import { newUserId, type UserDocument, type UserRepository } from '../users/user.repository.js';
import { isValidEmail, normalizeEmail, validateNewPassword, validateSignUp, type SignUpInput } from '../users/user.validation.js';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, ISO 8601. */
  expiresAt: string;
  user: UserDocument;
  /** When the session ends however often it is refreshed: the lifetime of a browser-mode session cookie. */
  sessionExpiresAt: Date;
}

export interface AuthServiceDeps {
  users: UserRepository;
  sessions: SessionService;
  singleUse: SingleUseGuard;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  tokens: AccessTokenIssuer;
  totp: TotpService;
  /** With NODE_ENV=production an ADMIN must have a second factor to log in. */
  production: boolean;
  resetTtlSeconds: number;
  /** How many costly actions (sign-ups, sessions, refreshes, reset mails) per address and per account. */
  limits: AuthSettings['limits'];
  /** Seals the reset token for the event: only the email may carry it in the clear. */
  eventSecrets: SecretBox;
  clock: () => Date;
}

/** The only error a failed login gets, whatever failed: no hint whether the email exists. */
const loginFailed = () => new UnauthenticatedError('Invalid email or password');

/**
 * After the right password: what the second factor still needs, in `extensions.reason`, so a client
 * can ask for the code (TOTP_REQUIRED, TOTP_INVALID) or send an admin to enroll (TOTP_ENROLLMENT_REQUIRED).
 */
const secondFactorError = (code: ErrorCode, reason: string, message: string) =>
  new GraphQLError(message, { extensions: { code, reason } });

// A new reset mail for the same account at most this often; further requests still answer true.
const RESET_COOLDOWN_MS = 60_000;

/** Sign-up, login, sessions and passwords: the flows that hand out or take back credentials. */
export function createAuthService(deps: AuthServiceDeps) {
  const { users, sessions, hasher, throttle, tokens, clock } = deps;
  // Throttling keys on the client's address; work outside a request (none) shares one bucket.
  const clientIpOf = (scope: Scope) => scope.clientIp ?? 'unknown';

  /** Counts an attempt before anything is verified; a throttled one is logged as such. */
  async function beginAttempt(scope: Scope, email: string): Promise<LoginAttempt> {
    try {
      return await throttle.begin({ email, clientIp: clientIpOf(scope) });
    } catch (error) {
      if (error instanceof RateLimitedError)
        logSecurityEvent(scope, 'login_throttled', { email, retryAfterSeconds: error.extensions['retryAfterSeconds'] }, 'warn');
      throw error;
    }
  }

  /** Counts a costly action per address and/or per account (successes included), refusing it over a limit. */
  async function spend(scope: Scope, action: string, limits: { perAddress?: number; account?: string; perAccount?: number }) {
    const keys: Limit[] = [];
    if (limits.perAddress !== undefined) keys.push([actionByAddress(action, clientIpOf(scope)), limits.perAddress]);
    if (limits.account !== undefined && limits.perAccount !== undefined)
      keys.push([actionByAccount(action, limits.account), limits.perAccount]);
    try {
      await throttle.spend(keys);
    } catch (error) {
      if (error instanceof RateLimitedError)
        logSecurityEvent(scope, 'rate_limited', { action, retryAfterSeconds: error.extensions['retryAfterSeconds'] }, 'warn');
      throw error;
    }
  }

  /** In production an ADMIN needs a second factor, at login and at every refresh alike. */
  function requireFactorOfAdmin(scope: Scope, user: UserDocument): void {
    if (user.totp || user.role !== 'ADMIN' || !deps.production) return;
    scope.logger.warn('admin refused without a second factor', {
      userId: user._id.toHexString(),
      security: 'totp_enrollment_required',
    });
    throw secondFactorError(
      ErrorCode.FORBIDDEN,
      'TOTP_ENROLLMENT_REQUIRED',
      'Admin accounts need a second factor: enroll with `create-admin --email <email> --enroll-totp`',
    );
  }

  async function openSession(user: UserDocument): Promise<AuthPayload> {
    const { session, refreshToken } = await sessions.start(user._id);
    const access = await tokens.issue({ userId: user._id.toHexString(), role: user.role, sessionId: session._id });
    const expiresAt = access.expiresAt.toISOString();
    return { accessToken: access.token, refreshToken, expiresAt, user, sessionExpiresAt: session.expiresAt };
  }

  return {
    /**
     * Creates a CUSTOMER account and logs it in. A taken email is answered with a generic CONFLICT
     * after the same hashing work as a success (see docs/auth.md, "Enumeration"); those answers count
     * against the caller's address in the login throttle, so probing emails this way is rate-limited.
     */
    async signUp(scope: Scope, input: SignUpInput): Promise<AuthPayload> {
      const valid = validateSignUp(input);
      const wait = await throttle.addressWait(clientIpOf(scope));
      if (wait > 0) {
        logSecurityEvent(scope, 'login_throttled', { reason: 'sign_up', retryAfterSeconds: wait }, 'warn');
        throw new RateLimitedError('Too many failed attempts; try again later', wait);
      }
      // Each sign-up costs a hash and a welcome mail to an address nobody has verified yet.
      await spend(scope, 'signup', { perAddress: deps.limits.signUpsPerAddress });
      const passwordHash = await hasher.hash(valid.password);
      const now = clock();
      const _id = newUserId();
      const event = userRegistered(scope, { _id, email: valid.email, name: valid.name, role: 'CUSTOMER' }, now);
      let user: UserDocument;
      try {
        user = await users.insert({ _id, email: valid.email, name: valid.name, role: 'CUSTOMER', passwordHash }, event, now);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        await throttle.recordFailure({ clientIp: clientIpOf(scope) });
        throw new ConflictError('Cannot sign up with this email; log in or reset your password instead', 'email');
      }
      scope.logger.info('user signed up', { userId: user._id.toHexString() });
      return openSession(user);
    },

    /** Same error and the same argon2 verification for an unknown email, a wrong password or a throttled caller's next try. */
    async logIn(scope: Scope, email: string, password: string, totpCode?: string | null): Promise<AuthPayload> {
      const normalized = normalizeEmail(email);
      // Bounds the hashing work an attacker can ask for; says nothing about any account.
      if (password.length > PASSWORD_MAX_LENGTH * 4) throw loginFailed();
      // Counted before anything is verified, so a concurrent burst gets at most the limit of verifications.
      const attempt = await beginAttempt(scope, normalized);
      const user = isValidEmail(normalized) ? await users.findByEmail(normalized) : null;
      let ok = false;
      if (user) ok = await hasher.verify(user.passwordHash, password);
      else await hasher.verifyDummy(password);
      if (!user || !ok) {
        await attempt.failed();
        logSecurityEvent(scope, 'login_failed', { email: normalized, reason: user ? 'wrong_password' : 'unknown_email' });
        throw loginFailed();
      }
      // The password was right; a wrong or missing code still counts against the throttle, so codes cannot be guessed.
      const factor = await deps.totp.check(user, totpCode);
      if (factor === 'missing' || factor === 'invalid') {
        await attempt.failed();
        logSecurityEvent(scope, 'login_failed', {
          email: normalized,
          userId: user._id.toHexString(),
          reason: factor === 'missing' ? 'totp_missing' : 'totp_invalid',
        });
        throw factor === 'missing'
          ? secondFactorError(ErrorCode.UNAUTHENTICATED, 'TOTP_REQUIRED', 'Enter the code from your authenticator app')
          : secondFactorError(ErrorCode.UNAUTHENTICATED, 'TOTP_INVALID', 'The code is not valid or was already used');
      }
      await attempt.succeeded();
      requireFactorOfAdmin(scope, user);
      // Successes count too: each one is a new 30-day session.
      await spend(scope, 'login', {
        perAddress: deps.limits.logInsPerAddress,
        account: normalized,
        perAccount: deps.limits.logInsPerAccount,
      });
      if (hasher.needsRehash(user.passwordHash)) {
        await users.replaceHashIfUnchanged(user._id, user.passwordHash, await hasher.hash(password));
        scope.logger.info('password rehashed with current parameters', { userId: user._id.toHexString() });
      }
      const payload = await openSession(user);
      logSecurityEvent(scope, 'login_succeeded', { email: normalized, userId: user._id.toHexString() });
      return payload;
    },

    async refreshSession(scope: Scope, refreshToken: string): Promise<AuthPayload> {
      await spend(scope, 'refresh', { perAddress: deps.limits.refreshesPerAddress });
      const seen: { user?: UserDocument } = {};
      // Checked before the token is exchanged: a refused refresh leaves the client's token valid.
      const { session, refreshToken: next } = await sessions.rotate(refreshToken, async (live) => {
        const found = await users.findById(live.userId);
        if (!found) {
          await sessions.revokeById(live._id, 'user_missing');
          throw new UnauthenticatedError('Invalid or expired refresh token');
        }
        await spend(scope, 'refresh', { account: found._id.toHexString(), perAccount: deps.limits.refreshesPerAccount });
        // The rules of logIn hold at every refresh, or a session outlives them (a promoted account without TOTP).
        requireFactorOfAdmin(scope, found);
        seen.user = found;
      });
      const user = seen.user;
      if (!user) throw new UnauthenticatedError('Invalid or expired refresh token');
      // The role is read again on every refresh, so a role change reaches tokens within one access-token lifetime.
      const access = await tokens.issue({ userId: user._id.toHexString(), role: user.role, sessionId: session._id });
      logSecurityEvent(scope, 'session_refreshed', { userId: user._id.toHexString(), sessionId: session._id });
      const expiresAt = access.expiresAt.toISOString();
      return { accessToken: access.token, refreshToken: next, expiresAt, user, sessionExpiresAt: session.expiresAt };
    },

    /** Ends the session of this refresh token; false when it was not a live one. */
    async logOut(scope: Scope, refreshToken: string): Promise<boolean> {
      const ended = await sessions.revokeByToken(refreshToken, 'logout');
      logSecurityEvent(scope, 'logout', { ended });
      return ended;
    },

    /** Needs the current password; ends every other session of the user (the calling one stays). */
    async changePassword(scope: Scope, currentPassword: string, newPassword: string): Promise<boolean> {
      const viewer = requireViewer(scope.auth);
      const userId = parseObjectId(viewer.userId);
      const user = userId ? await users.findById(userId) : null;
      if (!userId || !user) throw new UnauthenticatedError('Authentication required');
      const attempt = await beginAttempt(scope, user.email);
      if (currentPassword.length > PASSWORD_MAX_LENGTH * 4 || !(await hasher.verify(user.passwordHash, currentPassword))) {
        await attempt.failed();
        logSecurityEvent(scope, 'login_failed', { email: user.email, userId: viewer.userId, reason: 'change_password' });
        throw new BadUserInputError('currentPassword is not correct', 'currentPassword');
      }
      await attempt.succeeded();
      validateNewPassword(newPassword, user);
      if (newPassword === currentPassword)
        throw new BadUserInputError('newPassword must differ from the current one', 'newPassword');
      await users.setPassword(userId, await hasher.hash(newPassword), clock());
      const ended = await sessions.revokeAllOfUser(userId, 'password_changed', viewer.sessionId);
      logSecurityEvent(scope, 'password_changed', { userId: viewer.userId, endedSessions: ended });
      return true;
    },

    /** Always true; for an existing account it stores a hashed reset token and emits the event that mails it (sealed). */
    async requestPasswordReset(scope: Scope, email: string): Promise<boolean> {
      const normalized = normalizeEmail(email);
      // Keyed by the email as typed (normalized), known or not, so the limit reveals nothing.
      await spend(scope, 'reset', {
        perAddress: deps.limits.resetsPerAddress,
        account: normalized,
        perAccount: deps.limits.resetsPerAccount,
      });
      const user = isValidEmail(normalized) ? await users.findByEmail(normalized) : null;
      const now = clock();
      const due =
        user !== null && !(user.passwordReset && now.getTime() - user.passwordReset.requestedAt.getTime() < RESET_COOLDOWN_MS);
      // The same work whatever the answer would reveal: a token, its seal and hash, an event and one
      // update; for an unknown email (or within the cool-down) the update matches no user.
      const target = due ? user : { _id: newUserId(), email: normalized || 'unknown', name: 'unknown', version: 1 };
      const resetToken = newSecretToken();
      const expiresAt = new Date(now.getTime() + deps.resetTtlSeconds * 1000);
      const sealedResetToken = deps.eventSecrets.seal(resetToken, RESET_TOKEN_PURPOSE);
      const event = passwordResetRequested(scope, target, { sealedResetToken, expiresAt }, now);
      const written = await users.startPasswordReset(
        target._id,
        { tokenHash: hashSecretToken(resetToken), requestedAt: now, expiresAt },
        event,
      );
      if (written) scope.logger.info('password reset requested', { userId: target._id.toHexString(), eventId: event.id });
      return true;
    },

    /** Single use: sets the password, ends every session, and lifts the account's login throttle. */
    async resetPassword(scope: Scope, token: string, newPassword: string): Promise<boolean> {
      const invalid = () => new BadUserInputError('The reset token is invalid or has expired', 'token');
      if (!isPlausibleSecretToken(token)) throw invalid();
      const tokenHash = hashSecretToken(token);
      const user = await users.findByResetTokenHash(tokenHash, clock());
      if (!user) throw invalid();
      validateNewPassword(newPassword, user);
      if (!(await deps.singleUse.claim('reset', tokenHash, user.passwordReset!.expiresAt, clock()))) throw invalid();
      const updated = await users.consumePasswordReset(user._id, tokenHash, await hasher.hash(newPassword), clock());
      if (!updated) throw invalid();
      const ended = await sessions.revokeAllOfUser(user._id, 'password_reset');
      await throttle.clearAccount(user.email);
      logSecurityEvent(scope, 'sessions_revoked', {
        userId: user._id.toHexString(),
        endedSessions: ended,
        reason: 'password_reset',
      });
      return true;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
