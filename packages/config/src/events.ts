import { z } from 'zod';
import { positiveInt } from './fields.js';
import type { EnvOf } from './load.js';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** The broker and outbox relay settings of the event producers (products, accounts). */
export const outboxEnv = {
  AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
  EVENTS_EXCHANGE: z.string().default('little-ecom.events'),
  OUTBOX_POLL_INTERVAL_MS: positiveInt(1_000),
  OUTBOX_LEASE_MS: positiveInt(30_000),
};

export function outboxSettings(env: EnvOf<typeof outboxEnv>) {
  return {
    amqp: { url: env.AMQP_URL, exchange: env.EVENTS_EXCHANGE },
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, leaseMs: env.OUTBOX_LEASE_MS },
  };
}

/** The settings of a service that consumes events from its own queue (orders, products). */
export const consumerEnv = {
  /** Prefixes every exchange and queue name the service declares; lets tests share a broker. */
  AMQP_PREFIX: z.string().default(''),
  AMQP_PREFETCH: positiveInt(20),
  /** Redeliveries of an event whose handling failed for a transient reason, before it is dead-lettered. */
  EVENT_MAX_RETRIES: positiveInt(5),
  EVENT_RETRY_DELAY_MS: positiveInt(1_000),
};

export function consumerSettings(env: EnvOf<typeof consumerEnv>) {
  return {
    prefix: env.AMQP_PREFIX,
    consumer: { prefetch: env.AMQP_PREFETCH, maxRetries: env.EVENT_MAX_RETRIES },
    /** The delays of the topology's retry queues (see consumerTopology in @little-ecom/events). */
    retry: { maxRetries: env.EVENT_MAX_RETRIES, retryDelayMs: env.EVENT_RETRY_DELAY_MS },
  };
}
