import { DEFAULT_AMQP_URL, DEFAULT_MONGODB_URI, commonEnv, httpUrl, list, loadConfig, port, positiveInt, z, type Env } from '@little-ecom/config';

const schema = z
  .object({
    ...commonEnv,
    PORT: port(4001),
    MONGODB_URI: z.string().default(DEFAULT_MONGODB_URI),
    MONGODB_DB: z.string().default('products'),
    JWKS_URL: httpUrl('http://127.0.0.1:4002/.well-known/jwks.json'),
    JWT_ISSUER: z.string().default('http://localhost:4002'),
    JWT_AUDIENCE: z.string().default('little-ecom'),
    JWT_ALGORITHMS: list(['ES256']),
    AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
    EVENTS_EXCHANGE: z.string().default('little-ecom.events'),
    OUTBOX_POLL_INTERVAL_MS: positiveInt(1_000),
    OUTBOX_LEASE_MS: positiveInt(30_000),
  })
  .transform((env) => ({
    service: 'products',
    production: env.NODE_ENV === 'production',
    http: { host: env.HOST, port: env.PORT },
    log: {
      level: env.LOG_LEVEL,
      fluentd: env.FLUENTD_HOST ? { host: env.FLUENTD_HOST, port: env.FLUENTD_PORT, tagPrefix: env.FLUENTD_TAG_PREFIX } : undefined,
    },
    mongo: { uri: env.MONGODB_URI, dbName: env.MONGODB_DB },
    jwt: { jwksUrl: env.JWKS_URL, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, algorithms: env.JWT_ALGORITHMS },
    amqp: { url: env.AMQP_URL, exchange: env.EVENTS_EXCHANGE },
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, leaseMs: env.OUTBOX_LEASE_MS },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  }));

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
