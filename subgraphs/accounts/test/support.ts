import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { generateGatewayKeyPair } from '@little-ecom/auth';
import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import { createLogger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import { freshDatabase, graphqlRequest, signedAsGateway, testEnv, type TestDatabase } from '@little-ecom/testing';
import type { Db } from 'mongodb';
import { createAccountsApp, type AccountsApp } from '../src/app.js';
import { loadAccountsConfig } from '../src/config.js';
import { createArgon2Hasher, type PasswordHasher } from '../src/passwords/password.hasher.js';
import { generateSigningJwk, importSigningKeys, type SigningKeys } from '../src/tokens/signing-keys.js';
import type { UserDocument } from '../src/users/user.repository.js';

/** A hasher that counts what it does, around the real argon2id one (cheap parameters for speed). */
interface CountingHasher extends PasswordHasher {
  counts: { hash: number; verify: number; verifyDummy: number };
}

async function countingHasher(params = { memoryKiB: 1024, timeCost: 1, parallelism: 1 }): Promise<CountingHasher> {
  const inner = await createArgon2Hasher(params);
  const counts = { hash: 0, verify: 0, verifyDummy: 0 };
  return {
    counts,
    hash: (password) => {
      counts.hash++;
      return inner.hash(password);
    },
    verify: (hash, password) => {
      counts.verify++;
      return inner.verify(hash, password);
    },
    verifyDummy: (password) => {
      counts.verifyDummy++;
      return inner.verifyDummy(password);
    },
    needsRehash: (hash) => inner.needsRehash(hash),
  };
}

export interface AccountsUnderTest {
  url: string;
  baseUrl: string;
  db: Db;
  keys: SigningKeys;
  hasher: CountingHasher;
  settings: ReturnType<typeof loadAccountsConfig>['auth'];
  http: RunningService;
  app: AccountsApp;
  /** The gateway's key pair: requests are signed with the private key (GATEWAY_SIGNING_KEY), accounts checks with the public one. */
  gatewayKeys: ReturnType<typeof generateGatewayKeyPair>;
  /** Every record the service logged (info and up). */
  logs: Record<string, unknown>[];
  /**
   * GraphQL over real HTTP, signed as the gateway signs it, with `ip` as the client address it vouches
   * for; `forwardedFor` adds a raw X-Forwarded-For header (which subgraphs must ignore).
   */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; ip?: string; forwardedFor?: string },
  ): ReturnType<typeof graphqlRequest<T>>;
  /** Signs up (signed as the gateway, default client address); the test fails on any GraphQL error. */
  signUp(input: { email: string; password: string; name: string }): Promise<AuthPayloadData>;
  /** Logs in (signed as the gateway, default client address); the test fails on any GraphQL error. */
  logIn(email: string, password: string): Promise<AuthPayloadData>;
  user(email: string): Promise<UserDocument | null>;
  /**
   * The reset token of the user's latest password_reset_requested event, opened as notifications
   * opens it: the event carries it sealed with the development key (.data/event-secrets.key).
   */
  resetTokenOf(email: string): Promise<string>;
  close(): Promise<void>;
}

/** Limits high enough for suites that sign up and log in many users from the one test address. */
export const RAISED_LIMITS: Record<string, string> = {
  RATE_LIMIT_SIGN_UPS_PER_ADDRESS: '1000',
  RATE_LIMIT_LOG_INS_PER_ADDRESS: '1000',
  RATE_LIMIT_LOG_INS_PER_ACCOUNT: '1000',
  RATE_LIMIT_REFRESHES_PER_ADDRESS: '1000',
  RATE_LIMIT_REFRESHES_PER_ACCOUNT: '1000',
  RATE_LIMIT_RESETS_PER_ADDRESS: '1000',
  RATE_LIMIT_RESETS_PER_ACCOUNT: '1000',
  MAX_SESSIONS_PER_USER: '1000',
};

// The dev key the services use (.data/event-secrets.key): the event carries the reset token sealed with it.
const eventSecrets = loadSecretBox({});

/** The accounts subgraph on 127.0.0.1 (random port) over a fresh database, with test-sized settings. */
export async function startAccounts(
  env: Record<string, string> = {},
  database?: TestDatabase,
  options: { production?: boolean; defaultLimits?: boolean; eventSecrets?: SecretBox } = {},
): Promise<AccountsUnderTest> {
  const testDb = database ?? (await freshDatabase('accounts'));
  // `production` switches the production behaviour (admins need TOTP) without production's secrets.
  // Suites sign up and log in many users from one address: they run with raised limits unless they test the defaults.
  const limits = options.defaultLimits ? {} : RAISED_LIMITS;
  const config = {
    ...loadAccountsConfig({ NODE_ENV: 'test', ...limits, ...env }),
    ...(options.production ? { production: true } : {}),
  };
  const keys = await importSigningKeys([await generateSigningJwk()]);
  const hasher = await countingHasher();
  // Kept in memory, not printed: tests look at security events.
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'accounts-test',
    level: 'info',
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  // As deployed: GraphQL only from the gateway, which vouches for the client address; `gql` signs like it.
  const gatewayKeys = generateGatewayKeyPair();
  const app = await createAccountsApp(config, {
    db: testDb.db,
    logger,
    keys,
    hasher,
    gatewayKey: gatewayKeys.publicKey,
    ...(options.eventSecrets ? { eventSecrets: options.eventSecrets } : {}),
  });
  const http = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  const url = `${http.url}/graphql`;
  const gql: AccountsUnderTest['gql'] = (query, variables, options = {}) =>
    graphqlRequest(
      url,
      query,
      variables,
      signedAsGateway(
        gatewayKeys.signingKey,
        'accounts',
        options.ip ?? '198.51.100.1',
        options.token ? `Bearer ${options.token}` : undefined,
        options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {},
      ),
    );
  return {
    url,
    baseUrl: http.url,
    db: testDb.db,
    keys,
    hasher,
    settings: config.auth,
    http,
    app,
    gatewayKeys,
    logs,
    gql,
    async signUp(input) {
      const res = await gql<{ signUp: AuthPayloadData }>(SIGN_UP, { input });
      expect(res.errors).toBeUndefined();
      return res.data!.signUp;
    },
    async logIn(email, password) {
      const res = await gql<{ logIn: AuthPayloadData }>(LOG_IN, { email, password });
      expect(res.errors).toBeUndefined();
      return res.data!.logIn;
    },
    user: (email) => testDb.db.collection<UserDocument>('users').findOne({ email }),
    async resetTokenOf(email) {
      const user = await testDb.db.collection<UserDocument>('users').findOne({ email });
      const event = user?.outbox.findLast((e) => e.type === 'user.password_reset_requested');
      if (!event) throw new Error(`no password reset requested for ${email}`);
      return eventSecrets.open(event.data['sealedResetToken'] as string, RESET_TOKEN_PURPOSE);
    },
    async close() {
      await http.stop(2_000);
      if (!database) await testDb.drop();
    },
  };
}

const AUTH_FIELDS = 'accessToken refreshToken expiresAt user { id email name role createdAt }';

export interface AuthPayloadData {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string; email: string; name: string; role: string; createdAt: string };
}

export const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;
export const LOG_IN = `mutation LogIn($email: String!, $password: String!, $totpCode: String) {
  logIn(email: $email, password: $password, totpCode: $totpCode) { ${AUTH_FIELDS} } }`;
export const REFRESH = `mutation Refresh($token: String!) { refreshSession(refreshToken: $token) { ${AUTH_FIELDS} } }`;
export const LOG_OUT = `mutation LogOut($token: String!) { logOut(refreshToken: $token) }`;
export const ME = `query Me { me { id email name role } }`;
export const CHANGE_PASSWORD = `mutation Change($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }`;
export const REQUEST_RESET = `mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }`;
export const RESET = `mutation Reset($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }`;
export const SET_ROLE = `mutation SetRole($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) { id role } }`;

/** The `extensions.code` of the first error, if any. */
export const codeOf = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  response.errors?.[0]?.extensions?.['code'];

/** `npm run create-admin` as an operator runs it, against the test's database (cheap argon2 settings). */
export const runCreateAdmin = (database: string, args: string[]) =>
  promisify(execFile)(
    fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url)),
    ['--conditions=source', 'src/cli/create-admin.ts', ...args],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: testEnv.mongodbUri,
        MONGODB_DB: database,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      },
    },
  );
