import {
  DEFAULT_AMQP_URL,
  DEFAULT_SMTP_URL,
  commonEnv,
  commonSettings,
  gatewayKeyEnv,
  gatewayKeySettings,
  httpUrl,
  loadConfig,
  mongoEnv,
  mongoSettings,
  port,
  positiveInt,
  refuseDevelopmentDefaults,
  tokenVerifierEnv,
  tokenVerifierSettings,
  z,
  type Env,
} from '@little-ecom/config';

const schema = z
  .object({
    ...commonEnv,
    ...gatewayKeyEnv,
    PORT: port(4003),
    ...mongoEnv('notifications'),
    AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
    /** Prefixes every exchange and queue name; lets tests and side-by-side stacks share a broker. */
    AMQP_PREFIX: z.string().default(''),
    AMQP_PREFETCH: positiveInt(20),
    /** Redeliveries of an event whose handling failed for a transient reason, before it is dead-lettered. */
    EVENT_MAX_RETRIES: positiveInt(5),
    EVENT_RETRY_DELAY_MS: positiveInt(1_000),
    SMTP_URL: z
      .string()
      .default(DEFAULT_SMTP_URL)
      .refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL'),
    SMTP_MAX_CONNECTIONS: positiveInt(5),
    MAIL_FROM: z.string().default('little-ecom <no-reply@little-ecom.local>'),
    STOREFRONT_URL: httpUrl('http://localhost:3000'),
    /** Emails sent at the same time by one replica. */
    DELIVERY_CONCURRENCY: positiveInt(10),
    /** Attempts per email before it is marked FAILED. */
    DELIVERY_MAX_ATTEMPTS: positiveInt(6),
    /** First retry delay; doubles per attempt up to DELIVERY_RETRY_MAX_DELAY_MS. */
    DELIVERY_RETRY_BASE_MS: positiveInt(2_000),
    DELIVERY_RETRY_MAX_DELAY_MS: positiveInt(300_000),
    DELIVERY_POLL_INTERVAL_MS: positiveInt(1_000),
    ...tokenVerifierEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...commonSettings('notifications', env),
    gatewayKey: gatewayKeySettings(env),
    mongo: mongoSettings(env),
    amqp: {
      url: env.AMQP_URL,
      prefix: env.AMQP_PREFIX,
      prefetch: env.AMQP_PREFETCH,
      maxRetries: env.EVENT_MAX_RETRIES,
      retryDelayMs: env.EVENT_RETRY_DELAY_MS,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      maxConnections: env.SMTP_MAX_CONNECTIONS,
      from: env.MAIL_FROM,
      storefrontUrl: env.STOREFRONT_URL.replace(/\/+$/, ''),
    },
    delivery: {
      concurrency: env.DELIVERY_CONCURRENCY,
      maxAttempts: env.DELIVERY_MAX_ATTEMPTS,
      retryBaseMs: env.DELIVERY_RETRY_BASE_MS,
      retryMaxDelayMs: env.DELIVERY_RETRY_MAX_DELAY_MS,
      pollIntervalMs: env.DELIVERY_POLL_INTERVAL_MS,
    },
    jwt: tokenVerifierSettings(env),
  }));

export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;

/** The only place the notifications subgraph reads its environment. */
export function loadNotificationsConfig(env: Env) {
  return loadConfig('notifications', schema, env);
}
