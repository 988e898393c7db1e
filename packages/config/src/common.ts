import { z } from 'zod';
import { port, positiveInt } from './fields.js';
import type { EnvOf } from './load.js';

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

/** The part of every service's config built from `commonEnv` plus its PORT. */
export function commonSettings(service: string, env: EnvOf<typeof commonEnv> & { PORT: number }) {
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
