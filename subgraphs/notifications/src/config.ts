import {
  DEFAULT_SMTP_URL,
  eventDrivenSubgraphEnv,
  eventDrivenSubgraphSettings,
  httpUrl,
  loadConfig,
  positiveInt,
  refuseDevelopmentDefaults,
  z,
  type Env,
} from '@little-ecom/config';

const DAY_MS = 24 * 60 * 60_000;

const schema = z
  .object({
    ...eventDrivenSubgraphEnv('notifications', 4003),
    SMTP_URL: z
      .string()
      .default(DEFAULT_SMTP_URL)
      .refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL'),
    /** SMTP pool size; never below DELIVERY_CONCURRENCY. */
    SMTP_MAX_CONNECTIONS: positiveInt(5),
    MAIL_FROM: z.string().default('little-ecom <no-reply@little-ecom.local>'),
    STOREFRONT_URL: httpUrl('http://localhost:3000'),
    /** 32 bytes, base64, the same as accounts': opens the reset token sealed in its event. Required in production. */
    EVENT_SECRETS_KEY: z.string().optional(),
    /** Emails sent at the same time by one replica. */
    DELIVERY_CONCURRENCY: positiveInt(10),
    /**
     * An email failing for reasons of its own (not an outage) is FAILED after at least this many
     * attempts and DELIVERY_RETRY_WINDOW_MS; a refused recipient fails at once.
     */
    DELIVERY_MAX_ATTEMPTS: positiveInt(6),
    /** How long an email keeps being retried; outages (SMTP down, 535, throttling) never fail one. */
    DELIVERY_RETRY_WINDOW_MS: positiveInt(24 * 60 * 60_000),
    /** While SMTP is paused, the first probe after this; doubles up to DELIVERY_CIRCUIT_PROBE_MAX_MS. */
    DELIVERY_CIRCUIT_PROBE_MS: positiveInt(5_000),
    DELIVERY_CIRCUIT_PROBE_MAX_MS: positiveInt(60_000),
    /** How long a worker's claim on an email holds before another may take it over. */
    DELIVERY_CLAIM_TTL_MS: positiveInt(60_000),
    /** First retry delay; doubles per attempt up to DELIVERY_RETRY_MAX_DELAY_MS. */
    DELIVERY_RETRY_BASE_MS: positiveInt(2_000),
    DELIVERY_RETRY_MAX_DELAY_MS: positiveInt(300_000),
    DELIVERY_POLL_INTERVAL_MS: positiveInt(1_000),
    /** How often one replica deletes what outlived its retention (FerretDB has no TTL indexes). */
    RETENTION_INTERVAL_MS: positiveInt(60 * 60_000),
    /** Documents deleted per write, and writes per collection per pass. */
    RETENTION_BATCH_SIZE: positiveInt(500),
    RETENTION_MAX_BATCHES: positiveInt(20),
    /** SENT, CANCELLED and FAILED notifications are deleted this long after their last change. */
    NOTIFICATIONS_RETENTION_DAYS: positiveInt(90),
    /**
     * Version records untouched this long are deleted: far beyond any reordering of one aggregate's
     * events (retries take minutes, dead letters are replayed within days).
     */
    AGGREGATE_VERSIONS_RETENTION_DAYS: positiveInt(30),
    /**
     * How long an order email waits for its customer's user.registered to be projected (it can
     * arrive later: another queue, a retry, a replay of dead letters); then it is given up, logged.
     */
    ORDER_EMAIL_AWAIT_USER_HOURS: positiveInt(24),
  })
  .superRefine((env, ctx) => {
    refuseDevelopmentDefaults(env, ctx);
    if (env.NODE_ENV === 'production' && !env.EVENT_SECRETS_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['EVENT_SECRETS_KEY'],
        message: 'is required in production (32 random bytes, base64, the same as accounts)',
      });
  })
  .transform((env) => ({
    ...eventDrivenSubgraphSettings('notifications', env),
    mail: {
      smtpUrl: env.SMTP_URL,
      // One connection per concurrent send at least: a smaller pool queues sends inside nodemailer,
      // where they hold their claims without being sent.
      maxConnections: Math.max(env.SMTP_MAX_CONNECTIONS, env.DELIVERY_CONCURRENCY),
      from: env.MAIL_FROM,
      storefrontUrl: env.STOREFRONT_URL.replace(/\/+$/, ''),
    },
    delivery: {
      concurrency: env.DELIVERY_CONCURRENCY,
      maxAttempts: env.DELIVERY_MAX_ATTEMPTS,
      retryBaseMs: env.DELIVERY_RETRY_BASE_MS,
      retryMaxDelayMs: env.DELIVERY_RETRY_MAX_DELAY_MS,
      pollIntervalMs: env.DELIVERY_POLL_INTERVAL_MS,
      retryWindowMs: env.DELIVERY_RETRY_WINDOW_MS,
      circuitProbeMs: env.DELIVERY_CIRCUIT_PROBE_MS,
      circuitProbeMaxMs: env.DELIVERY_CIRCUIT_PROBE_MAX_MS,
      claimTtlMs: env.DELIVERY_CLAIM_TTL_MS,
    },
    eventSecrets: { key: env.EVENT_SECRETS_KEY },
    awaitUserMs: env.ORDER_EMAIL_AWAIT_USER_HOURS * 60 * 60_000,
    retention: {
      intervalMs: env.RETENTION_INTERVAL_MS,
      batchSize: env.RETENTION_BATCH_SIZE,
      maxBatches: env.RETENTION_MAX_BATCHES,
      notificationsMs: env.NOTIFICATIONS_RETENTION_DAYS * DAY_MS,
      aggregateVersionsMs: env.AGGREGATE_VERSIONS_RETENTION_DAYS * DAY_MS,
    },
  }));

export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;

/** The only place the notifications subgraph reads its environment. */
export function loadNotificationsConfig(env: Env) {
  return loadConfig('notifications', schema, env);
}
