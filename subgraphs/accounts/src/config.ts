import { fileURLToPath } from 'node:url';
import {
  loadConfig,
  outboxEnv,
  outboxSettings,
  positiveInt,
  refuseDevelopmentDefaults,
  subgraphEnv,
  subgraphSettings,
  z,
  type Env,
} from '@little-ecom/config';

/** OWASP Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 iterations, 1 lane (our default). */
const OWASP_ARGON2_MINIMUM = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The cheat sheet's equally strong alternatives (memory KiB, iterations): trading memory for time. */
const OWASP_ARGON2_EQUIVALENTS: readonly (readonly [number, number])[] = [
  [47_104, 1],
  [19_456, 2],
  [12_288, 3],
  [9_216, 4],
  [7_168, 5],
];

/** True when (memory, iterations) meets at least one of OWASP's recommended argon2id configurations. */
export function meetsOwaspArgon2(memoryKiB: number, timeCost: number): boolean {
  return OWASP_ARGON2_EQUIVALENTS.some(([m, t]) => memoryKiB >= m && timeCost >= t);
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** A duration from env: plain seconds (`900`) or with a unit (`15m`, `30d`, `45s`, `12h`). Result in seconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+)\s*([smhd]?)$/.exec(value);
      const seconds = match ? Number(match[1]) * (UNITS[match[2] || 's'] ?? 1) : NaN;
      if (!Number.isSafeInteger(seconds) || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive duration such as 900, 15m, 12h or 30d' });
        return z.NEVER;
      }
      return seconds;
    });

/** `JWT_SIGNING_KEYS`: a JSON array of private JWKs, the first one signs. */
const signingKeys = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of private JWKs' });
      return z.NEVER;
    }
    const result = z
      .array(z.looseObject({ kty: z.string(), kid: z.string().min(1), d: z.string().min(1) }))
      .min(1)
      .safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-empty JSON array of private JWKs, each with kty, kid and d' });
      return z.NEVER;
    }
    const kids = result.data.map((k) => k.kid);
    if (new Set(kids).size !== kids.length) {
      ctx.addIssue({ code: 'custom', message: 'every key needs a distinct kid' });
      return z.NEVER;
    }
    return result.data;
  });

// Two levels up from src/ (or dist/) is the subgraph, four is the repository root with its git-ignored .data/.
const DEFAULT_DEV_KEY_FILE = fileURLToPath(new URL('../../../.data/accounts/jwt-signing-key.json', import.meta.url));
const DEFAULT_TOTP_DEV_KEY_FILE = fileURLToPath(new URL('../../../.data/accounts/totp-secrets.key', import.meta.url));

const schema = z
  .object({
    ...subgraphEnv('accounts', 4002),
    JWT_ISSUER: z.string().default('http://localhost:4002'),
    JWT_AUDIENCE: z.string().default('little-ecom'),
    JWT_SIGNING_KEYS: signingKeys,
    JWT_DEV_KEY_FILE: z.string().default(DEFAULT_DEV_KEY_FILE),
    /** 32 bytes, base64: seals secrets in events (the reset token); notifications needs the same key. */
    EVENT_SECRETS_KEY: z.string().optional(),
    /**
     * 32 bytes, base64: seals TOTP secrets at rest. Its own key, held by accounts alone (notifications
     * holds the events key). Secrets sealed with EVENT_SECRETS_KEY before are read once and sealed again.
     */
    TOTP_SECRETS_KEY: z.string().optional(),
    /** Development only: where the generated TOTP key lives when TOTP_SECRETS_KEY is unset. */
    TOTP_SECRETS_DEV_KEY_FILE: z.string().default(DEFAULT_TOTP_DEV_KEY_FILE),
    /** The name authenticator apps show next to the account. */
    TOTP_ISSUER: z.string().max(64).default('little-ecom'),
    /** How long browsers and verifiers may cache the JWKS response. */
    JWKS_MAX_AGE: duration('5m'),
    ACCESS_TOKEN_TTL: duration('15m'),
    REFRESH_TOKEN_TTL: duration('30d'),
    /** A session whose refresh token is not used for this long ends (idle timeout). */
    REFRESH_TOKEN_IDLE_TTL: duration('7d'),
    PASSWORD_RESET_TTL: duration('30m'),
    ARGON2_MEMORY_KIB: positiveInt(OWASP_ARGON2_MINIMUM.memoryKiB),
    ARGON2_TIME_COST: positiveInt(OWASP_ARGON2_MINIMUM.timeCost),
    ARGON2_PARALLELISM: positiveInt(OWASP_ARGON2_MINIMUM.parallelism),
    LOGIN_THROTTLE_WINDOW: duration('15m'),
    LOGIN_THROTTLE_MAX_PER_ACCOUNT_ADDRESS: positiveInt(5),
    LOGIN_THROTTLE_MAX_PER_IP: positiveInt(50),
    LOGIN_THROTTLE_MAX_PER_ACCOUNT: positiveInt(100),
    LOGIN_THROTTLE_DELAY_AFTER: positiveInt(20),
    LOGIN_THROTTLE_MAX_DELAY: duration('30s'),
    // Costly actions counted whether they succeed or not, in the same window (docs/auth.md, "Rate limits").
    RATE_LIMIT_SIGN_UPS_PER_ADDRESS: positiveInt(10),
    RATE_LIMIT_LOG_INS_PER_ADDRESS: positiveInt(30),
    RATE_LIMIT_LOG_INS_PER_ACCOUNT: positiveInt(10),
    RATE_LIMIT_REFRESHES_PER_ADDRESS: positiveInt(120),
    RATE_LIMIT_REFRESHES_PER_ACCOUNT: positiveInt(40),
    RATE_LIMIT_RESETS_PER_ADDRESS: positiveInt(10),
    RATE_LIMIT_RESETS_PER_ACCOUNT: positiveInt(3),
    /** Live sessions per user; a new one ends the oldest beyond this. */
    MAX_SESSIONS_PER_USER: positiveInt(10),
    ...outboxEnv,
  })
  .superRefine((env, ctx) => {
    refuseDevelopmentDefaults(env, ctx);
    if (env.NODE_ENV !== 'production') return;
    if (!env.JWT_SIGNING_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SIGNING_KEYS'],
        message: 'is required in production (a secret holding the private JWKs)',
      });
    }
    if (!env.EVENT_SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['EVENT_SECRETS_KEY'],
        message: 'is required in production (32 random bytes, base64, shared with notifications)',
      });
    }
    if (!env.TOTP_SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOTP_SECRETS_KEY'],
        message: 'is required in production (32 random bytes, base64, for accounts alone: not the events key)',
      });
    } else if (env.TOTP_SECRETS_KEY === env.EVENT_SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOTP_SECRETS_KEY'],
        message: 'must differ from EVENT_SECRETS_KEY (notifications holds that one)',
      });
    }
    if (!meetsOwaspArgon2(env.ARGON2_MEMORY_KIB, env.ARGON2_TIME_COST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ARGON2_MEMORY_KIB'],
        message: `argon2id below the OWASP minimum (e.g. m=${OWASP_ARGON2_MINIMUM.memoryKiB} KiB with t=${OWASP_ARGON2_MINIMUM.timeCost}) is refused in production`,
      });
    }
  })
  .transform((env) => ({
    ...subgraphSettings('accounts', env),
    keys: { signingKeys: env.JWT_SIGNING_KEYS, devKeyFile: env.JWT_DEV_KEY_FILE },
    eventSecrets: { key: env.EVENT_SECRETS_KEY },
    totp: { issuer: env.TOTP_ISSUER, secretsKey: env.TOTP_SECRETS_KEY, devKeyFile: env.TOTP_SECRETS_DEV_KEY_FILE },
    auth: {
      tokens: {
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        accessTtlSeconds: env.ACCESS_TOKEN_TTL,
        refreshTtlSeconds: env.REFRESH_TOKEN_TTL,
        refreshIdleTtlSeconds: env.REFRESH_TOKEN_IDLE_TTL,
        resetTtlSeconds: env.PASSWORD_RESET_TTL,
        jwksMaxAgeSeconds: env.JWKS_MAX_AGE,
      },
      argon2: { memoryKiB: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST, parallelism: env.ARGON2_PARALLELISM },
      throttle: {
        windowSeconds: env.LOGIN_THROTTLE_WINDOW,
        maxPerAccountAddress: env.LOGIN_THROTTLE_MAX_PER_ACCOUNT_ADDRESS,
        maxPerIp: env.LOGIN_THROTTLE_MAX_PER_IP,
        maxPerAccount: env.LOGIN_THROTTLE_MAX_PER_ACCOUNT,
        delayAfter: env.LOGIN_THROTTLE_DELAY_AFTER,
        maxDelaySeconds: env.LOGIN_THROTTLE_MAX_DELAY,
      },
      limits: {
        signUpsPerAddress: env.RATE_LIMIT_SIGN_UPS_PER_ADDRESS,
        logInsPerAddress: env.RATE_LIMIT_LOG_INS_PER_ADDRESS,
        logInsPerAccount: env.RATE_LIMIT_LOG_INS_PER_ACCOUNT,
        refreshesPerAddress: env.RATE_LIMIT_REFRESHES_PER_ADDRESS,
        refreshesPerAccount: env.RATE_LIMIT_REFRESHES_PER_ACCOUNT,
        resetsPerAddress: env.RATE_LIMIT_RESETS_PER_ADDRESS,
        resetsPerAccount: env.RATE_LIMIT_RESETS_PER_ACCOUNT,
        sessionsPerUser: env.MAX_SESSIONS_PER_USER,
      },
    },
    ...outboxSettings(env),
  }));

export type AccountsConfig = ReturnType<typeof loadAccountsConfig>;
/** The settings the accounts services run with (the part of the config `createServer` needs). */
export type AuthSettings = AccountsConfig['auth'];

/** The only place the accounts subgraph reads its environment. */
export function loadAccountsConfig(env: Env) {
  return loadConfig('accounts', schema, env);
}
