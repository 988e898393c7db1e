import { createRevocationList } from '@little-ecom/auth';
import type { SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import type { Db, IndexDescription } from 'mongodb';
import { createAuthService } from './auth/auth.service.js';
import type { AuthSettings } from './config.js';
import type { PasswordHasher } from './passwords/password.hasher.js';
import { SESSIONS, createSessionRepository, sessionIndexes } from './sessions/session.repository.js';
import { createSessionService } from './sessions/session.service.js';
import { USED_TOKENS, createSingleUseGuard, usedTokenIndexes } from './sessions/single-use.js';
import { LOGIN_FAILURES, createLoginThrottle, loginFailureIndexes } from './throttle/login-throttle.js';
import { createAccessTokenIssuer, createLocalVerifier } from './tokens/access-token.js';
import type { SigningKeys } from './tokens/signing-keys.js';
import { createTotpService } from './totp/totp.service.js';
import { createOrPromoteAdmin, type CreateAdminInput } from './users/create-admin.js';
import { USERS, createUserRepository, userIndexes } from './users/user.repository.js';
import { createUserService } from './users/user.service.js';

/** Every index accounts needs, per collection, for `ensureIndexes` at start-up. */
export const accountsIndexes: Record<string, IndexDescription[]> = {
  [USERS]: userIndexes,
  [SESSIONS]: sessionIndexes,
  [LOGIN_FAILURES]: loginFailureIndexes,
  [USED_TOKENS]: usedTokenIndexes,
};

export interface ServicesDeps {
  db: Db;
  logger: Logger;
  /** From `loadSigningKeys` (config or development file) or `importSigningKeys([await generateSigningJwk()])` in tests. */
  keys: SigningKeys;
  /** `loadAccountsConfig(env).auth`: token lifetimes, issuer/audience, throttle windows. */
  settings: AuthSettings;
  /** `createArgon2Hasher(settings.argon2)`; a dependency so tests can observe verifications. */
  hasher: PasswordHasher;
  /** Seals the reset token in its event (`loadSecretBox(config.eventSecrets)`). */
  eventSecrets: SecretBox;
  /** Seals TOTP secrets at rest (`loadTotpSecretBox(config.totp)`), a key of their own. */
  totpSecrets: SecretBox;
  /** The events key TOTP secrets were sealed with before they had their own: read once, then re-sealed. */
  legacyTotpSecrets?: SecretBox | undefined;
  /** The issuer name in otpauth URIs (`config.totp.issuer`). */
  totpIssuer: string;
  /** With NODE_ENV=production an ADMIN must have a second factor to log in. */
  production: boolean;
  clock: () => Date;
}

/**
 * The one place accounts builds its repositories and services: the app hands them to the server
 * (GraphQL and routes) and to its workers; the create-admin command, tests and benches use what this built.
 */
export function createServices({
  db,
  logger,
  keys,
  settings,
  hasher,
  eventSecrets,
  totpSecrets,
  legacyTotpSecrets,
  totpIssuer,
  production,
  clock,
}: ServicesDeps) {
  const users = createUserRepository(db);
  const singleUse = createSingleUseGuard(db);
  const sessions = createSessionService({
    repository: createSessionRepository(db),
    singleUse,
    logger,
    refreshTtlSeconds: settings.tokens.refreshTtlSeconds,
    idleTtlSeconds: settings.tokens.refreshIdleTtlSeconds,
    maxPerUser: settings.limits.sessionsPerUser,
    // Verifiers tolerate 5 s of clock skew on `exp`; a minute on top covers skew between replicas.
    revocationHorizonSeconds: settings.tokens.accessTtlSeconds + 65,
    clock,
  });
  const throttle = createLoginThrottle(db, settings.throttle, clock);
  const tokens = createAccessTokenIssuer(keys, settings.tokens, clock);
  const totp = createTotpService({
    users,
    singleUse,
    secrets: totpSecrets,
    legacySecrets: legacyTotpSecrets,
    hasher,
    throttle,
    sessions,
    issuer: totpIssuer,
    clock,
  });
  const accounts = createAuthService({
    users,
    sessions,
    singleUse,
    hasher,
    throttle,
    tokens,
    totp,
    production,
    resetTtlSeconds: settings.tokens.resetTtlSeconds,
    limits: settings.limits,
    eventSecrets,
    clock,
  });
  // Accounts denies ended sessions like every other verifier, reading the feed from its own database.
  const revocations = createRevocationList({ source: (since) => sessions.revocationFeed(since), logger });

  return {
    indexes: accountsIndexes,
    clock,
    accounts,
    users: createUserService({ users, sessions, db, clock }),
    sessions,
    totp,
    revocations,
    verifier: createLocalVerifier(keys, settings.tokens, revocations),
    /** Deletes sessions past their absolute lifetime and failures outside the throttle window. */
    housekeeping: async () => ({ sessions: await sessions.deleteExpired(), loginFailures: await throttle.deleteExpired() }),
    /** What the create-admin command does: creates an ADMIN, or promotes the account with this email. */
    createAdmin: (input: CreateAdminInput, correlationId: string) =>
      createOrPromoteAdmin({ users, sessions, hasher, totp, clock }, input, correlationId),
  };
}

export type AccountsServices = ReturnType<typeof createServices>;
