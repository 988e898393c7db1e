import { buildSubgraphSchema } from '@apollo/subgraph';
import { createRevocationList } from '@little-ecom/auth';
import { loadSecretBox, type SecretBox } from '@little-ecom/events';
import {
  readTypeDefs,
  subgraphApollo,
  type IncomingRequestInfo,
  type RouteHandler,
  type SubgraphApolloOptions,
} from '@little-ecom/http';
import type { Db, IndexDescription } from 'mongodb';
import { createAuthService } from './auth/auth.service.js';
import type { AuthSettings } from './config.js';
import { createContext, type AccountsContext } from './context.js';
import type { PasswordHasher } from './passwords/password.hasher.js';
import { Mutation } from './resolvers/Mutation.js';
import { Query } from './resolvers/Query.js';
import { Session } from './resolvers/Session.js';
import { User } from './resolvers/User.js';
import { cookieSessionPlugin } from './sessions/cookie.js';
import { SESSIONS, createSessionRepository, sessionIndexes } from './sessions/session.repository.js';
import { REVOCATIONS_PATH, revocationsRoute } from './sessions/revocation-route.js';
import { createSessionService } from './sessions/session.service.js';
import { USED_TOKENS, createSingleUseGuard, usedTokenIndexes } from './sessions/single-use.js';
import { LOGIN_FAILURES, createLoginThrottle, loginFailureIndexes } from './throttle/login-throttle.js';
import { createAccessTokenIssuer, createLocalVerifier, jwksRoute } from './tokens/access-token.js';
import type { SigningKeys } from './tokens/signing-keys.js';
import { createTotpService } from './totp/totp.service.js';
import { USERS, createUserRepository, userIndexes } from './users/user.repository.js';
import { createUserService } from './users/user.service.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

/** Every index accounts needs, for `ensureIndexes` at start-up (and in tests). */
export const accountsIndexes: Record<string, IndexDescription[]> = {
  [USERS]: userIndexes,
  [SESSIONS]: sessionIndexes,
  [LOGIN_FAILURES]: loginFailureIndexes,
  [USED_TOKENS]: usedTokenIndexes,
};

export const JWKS_PATH = '/.well-known/jwks.json';

export interface ServerDeps extends SubgraphApolloOptions {
  db: Db;
  /** From `loadSigningKeys` (config or development file) or `importSigningKeys([await generateSigningJwk()])` in tests. */
  keys: SigningKeys;
  /** `loadAccountsConfig(env).auth`: token lifetimes, issuer/audience, throttle windows. */
  settings: AuthSettings;
  /** `createArgon2Hasher(settings.argon2)`; a dependency so tests can observe verifications. */
  hasher: PasswordHasher;
  /** Seals the reset token in its event; `loadSecretBox(config.eventSecrets)`, by default the development key file. */
  eventSecrets?: SecretBox;
  /** Seals TOTP secrets at rest; `loadSecretBox({ key: config.totp.secretsKey })`, by default the development key file. */
  totpSecrets?: SecretBox;
  /** The issuer name in otpauth URIs (`config.totp.issuer`). */
  totpIssuer?: string;
  clock?: () => Date;
}

/** The GraphQL side of the accounts subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({
  db,
  logger,
  production,
  limits,
  keys,
  settings,
  hasher,
  eventSecrets = loadSecretBox({}),
  totpSecrets = eventSecrets,
  totpIssuer = 'little-ecom',
  clock = () => new Date(),
}: ServerDeps) {
  const users = createUserRepository(db);
  const singleUse = createSingleUseGuard(db);
  const sessions = createSessionService({
    repository: createSessionRepository(db),
    singleUse,
    logger,
    refreshTtlSeconds: settings.tokens.refreshTtlSeconds,
    idleTtlSeconds: settings.tokens.refreshIdleTtlSeconds,
    // Verifiers tolerate 5 s of clock skew on `exp`; a minute on top covers skew between replicas.
    revocationHorizonSeconds: settings.tokens.accessTtlSeconds + 65,
    clock,
  });
  const throttle = createLoginThrottle(db, settings.throttle, clock);
  const tokens = createAccessTokenIssuer(keys, settings.tokens, clock);
  const totp = createTotpService({ users, singleUse, secrets: totpSecrets, issuer: totpIssuer, clock });
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
    eventSecrets,
    clock,
  });
  const userService = createUserService({ users, sessions, db, clock });
  // Accounts denies ended sessions like every other verifier, reading the feed from its own database.
  const revocations = createRevocationList({ source: (since) => sessions.revocationFeed(since), logger });
  const verifier = createLocalVerifier(keys, settings.tokens, revocations);

  const apollo = subgraphApollo<AccountsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Session } }),
    {
      production,
      logger,
      limits,
    },
  );
  // Browser mode: the refresh token the cookie should hold reaches the gateway in headers (sessions/cookie.ts).
  apollo.addPlugin(cookieSessionPlugin<AccountsContext>(clock));
  const context = (info: IncomingRequestInfo) =>
    createContext({ accounts, users: userService, sessions, totp, verifier, logger }, info);
  const routes: Record<string, RouteHandler> = {
    [JWKS_PATH]: jwksRoute(keys, settings.tokens.jwksMaxAgeSeconds),
    [REVOCATIONS_PATH]: revocationsRoute((since) => sessions.revocationFeed(since)),
  };

  /** Deletes sessions past their absolute lifetime and failures outside the throttle window. */
  const housekeeping = async () => ({ sessions: await sessions.deleteExpired(), loginFailures: await throttle.deleteExpired() });

  return {
    apollo,
    context,
    routes,
    verifier,
    housekeeping,
    revocations,
    services: { accounts, users: userService, sessions, totp },
  };
}
