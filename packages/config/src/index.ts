import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { refuseDevelopmentDefaults } from './production.js';

export { z };

/** Thrown with every invalid or missing setting listed, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Parses `env` with `schema` and returns a frozen, typed result. Empty strings count as unset so
 * `FOO=` falls back to the default instead of failing in surprising ways.
 */
export function loadConfig<S extends z.ZodType>(service: string, schema: S, env: Env): Readonly<z.output<S>> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A TCP port number from env, with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A boolean from env: true/false/1/0/yes/no. */
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list from env. */
export const list = (fallback: string[] = []) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** A positive integer from env, with a default. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** An http(s) URL from env, with a default. */
export const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s) URL');

const nodeEnv = z.enum(['development', 'production', 'test']).default('development');
export const logLevel = z.enum(['debug', 'info', 'warn', 'error']).default('info');

/** Settings every service reads the same way. */
export const commonEnv = {
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  /** `pretty`: one coloured line per entry, for `npm run dev`; JSON (the default) everywhere else. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  // Loopback by default so a development machine does not expose its services; images and the chart set 0.0.0.0.
  HOST: z.string().default('127.0.0.1'),
  FLUENTD_HOST: z.string().optional(),
  FLUENTD_PORT: port(24224),
  FLUENTD_TAG_PREFIX: z.string().default('little-ecom'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(15_000),
  /**
   * How many proxies of ours stand in front of the service, each appending to X-Forwarded-For; the
   * client address is the rightmost entry they did not add. 0 (default) ignores the header.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
};

export const DEFAULT_MONGODB_URI = 'mongodb://127.0.0.1:27017';
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_SMTP_URL = 'smtp://127.0.0.1:1025';

/** A subgraph's MongoDB connection and its own database (the `database` of subgraphs.json). */
export const mongoEnv = (database: string) => ({
  MONGODB_URI: z.string().default(DEFAULT_MONGODB_URI),
  MONGODB_DB: z.string().default(database),
});

export function mongoSettings(env: { MONGODB_URI: string; MONGODB_DB: string }) {
  return { uri: env.MONGODB_URI, dbName: env.MONGODB_DB };
}

interface CommonEnv {
  NODE_ENV: 'development' | 'production' | 'test';
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error';
  LOG_FORMAT: 'json' | 'pretty';
  HOST: string;
  PORT: number;
  FLUENTD_HOST?: string | undefined;
  FLUENTD_PORT: number;
  FLUENTD_TAG_PREFIX: string;
  SHUTDOWN_TIMEOUT_MS: number;
  TRUSTED_PROXY_HOPS: number;
}

/** The part of every service's config built from `commonEnv` plus its PORT. */
export function commonSettings(service: string, env: CommonEnv) {
  return {
    service,
    production: env.NODE_ENV === 'production',
    http: { host: env.HOST, port: env.PORT },
    log: {
      level: env.LOG_LEVEL,
      format: env.LOG_FORMAT,
      fluentd: env.FLUENTD_HOST
        ? { host: env.FLUENTD_HOST, port: env.FLUENTD_PORT, tagPrefix: env.FLUENTD_TAG_PREFIX }
        : undefined,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
  };
}

/** How subgraphs find and check access tokens; defaults match the local accounts subgraph. */
export const tokenVerifierEnv = {
  JWKS_URL: httpUrl('http://127.0.0.1:4002/.well-known/jwks.json'),
  JWT_ISSUER: z.string().default('http://localhost:4002'),
  JWT_AUDIENCE: z.string().default('little-ecom'),
  JWT_ALGORITHMS: list(['ES256']),
  /** The accounts feed of ended sessions, polled twice a second (docs/auth.md, "Revocation"). */
  REVOCATIONS_URL: httpUrl('http://127.0.0.1:4002/internal/revocations'),
};

export function tokenVerifierSettings(env: {
  JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_ALGORITHMS: string[];
  REVOCATIONS_URL: string;
}) {
  return {
    jwksUrl: env.JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    algorithms: env.JWT_ALGORITHMS,
    revocationsUrl: env.REVOCATIONS_URL,
  };
}

// Three levels up from packages/config/src (or dist) is the repository root with its git-ignored .data/.
const DEFAULT_GATEWAY_DEV_KEY_FILE = fileURLToPath(new URL('../../../.data/gateway/subgraph-key', import.meta.url));

/**
 * The key the gateway signs subgraph requests with and subgraphs check (docs/auth.md, "Gateway to
 * subgraph trust"). Required in production; development shares a generated file.
 */
export const gatewayKeyEnv = {
  GATEWAY_KEY: z.string().optional(),
  GATEWAY_DEV_KEY_FILE: z.string().default(DEFAULT_GATEWAY_DEV_KEY_FILE),
};

export function gatewayKeySettings(env: { GATEWAY_KEY?: string | undefined; GATEWAY_DEV_KEY_FILE: string }) {
  return { key: env.GATEWAY_KEY, devKeyFile: env.GATEWAY_DEV_KEY_FILE };
}

/**
 * Query limits (depth, aliases, cost, tokens): the gateway enforces them, every subgraph the same with
 * the query planner's headroom (`subgraphLimits` in @little-ecom/http). Set them alike on all services.
 */
export const queryLimitsEnv = {
  MAX_DEPTH: positiveInt(10),
  MAX_ALIASES: positiveInt(15),
  MAX_COST: positiveInt(5_000),
  MAX_TOKENS: positiveInt(2_000),
};

export function queryLimitsSettings(env: { MAX_DEPTH: number; MAX_ALIASES: number; MAX_COST: number; MAX_TOKENS: number }) {
  return { maxDepth: env.MAX_DEPTH, maxAliases: env.MAX_ALIASES, maxCost: env.MAX_COST, maxTokens: env.MAX_TOKENS };
}

/** What every subgraph reads: the common settings, its PORT, the gateway key, its own MongoDB database and the query limits. */
export const subgraphEnv = (service: string, defaultPort: number) => ({
  ...commonEnv,
  ...gatewayKeyEnv,
  PORT: port(defaultPort),
  ...mongoEnv(service),
  ...queryLimitsEnv,
});

export function subgraphSettings(
  service: string,
  env: CommonEnv & {
    GATEWAY_KEY?: string | undefined;
    GATEWAY_DEV_KEY_FILE: string;
    MONGODB_URI: string;
    MONGODB_DB: string;
  } & Parameters<typeof queryLimitsSettings>[0],
) {
  return {
    ...commonSettings(service, env),
    gatewayKey: gatewayKeySettings(env),
    mongo: mongoSettings(env),
    limits: queryLimitsSettings(env),
  };
}

/** The broker and outbox relay settings of the event producers (products, accounts). */
export const outboxEnv = {
  AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
  EVENTS_EXCHANGE: z.string().default('little-ecom.events'),
  OUTBOX_POLL_INTERVAL_MS: positiveInt(1_000),
  OUTBOX_LEASE_MS: positiveInt(30_000),
};

export function outboxSettings(env: {
  AMQP_URL: string;
  EVENTS_EXCHANGE: string;
  OUTBOX_POLL_INTERVAL_MS: number;
  OUTBOX_LEASE_MS: number;
}) {
  return {
    amqp: { url: env.AMQP_URL, exchange: env.EVENTS_EXCHANGE },
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, leaseMs: env.OUTBOX_LEASE_MS },
  };
}

export { developmentDefaultProblems, refuseDevelopmentDefaults, type DevelopmentDefaultsEnv } from './production.js';
export { readOrCreateDevFile } from './dev-files.js';

/** The settings of a service that consumes events from its own queue (orders, products). */
export const consumerEnv = {
  /** Prefixes every exchange and queue name the service declares; lets tests share a broker. */
  AMQP_PREFIX: z.string().default(''),
  AMQP_PREFETCH: positiveInt(20),
  /** Redeliveries of an event whose handling failed for a transient reason, before it is dead-lettered. */
  EVENT_MAX_RETRIES: positiveInt(5),
  EVENT_RETRY_DELAY_MS: positiveInt(1_000),
};

export function consumerSettings(env: {
  AMQP_PREFIX: string;
  AMQP_PREFETCH: number;
  EVENT_MAX_RETRIES: number;
  EVENT_RETRY_DELAY_MS: number;
}) {
  return {
    prefix: env.AMQP_PREFIX,
    consumer: { prefetch: env.AMQP_PREFETCH, maxRetries: env.EVENT_MAX_RETRIES },
    /** The delays of the topology's retry queues (see consumerTopology in @little-ecom/events). */
    retry: { maxRetries: env.EVENT_MAX_RETRIES, retryDelayMs: env.EVENT_RETRY_DELAY_MS },
  };
}

/**
 * What a subgraph reads that checks accounts' tokens and consumes events from its own queue
 * (products, orders, notifications); the producers among them add `outboxEnv`.
 */
export const eventDrivenSubgraphEnv = (service: string, defaultPort: number) => ({
  ...subgraphEnv(service, defaultPort),
  ...tokenVerifierEnv,
  AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
  ...consumerEnv,
});

export function eventDrivenSubgraphSettings(
  service: string,
  env: Parameters<typeof subgraphSettings>[1] &
    Parameters<typeof tokenVerifierSettings>[0] & { AMQP_URL: string } & Parameters<typeof consumerSettings>[0],
) {
  return {
    ...subgraphSettings(service, env),
    jwt: tokenVerifierSettings(env),
    amqp: { url: env.AMQP_URL },
    events: consumerSettings(env),
  };
}

/** The whole schema of an event-driven subgraph whose events leave through its outbox (products, orders). */
export const eventProducerSubgraphSchema = (service: string, defaultPort: number) =>
  z
    .object({ ...eventDrivenSubgraphEnv(service, defaultPort), ...outboxEnv })
    .superRefine(refuseDevelopmentDefaults)
    .transform((env) => ({ ...eventDrivenSubgraphSettings(service, env), ...outboxSettings(env) }));
