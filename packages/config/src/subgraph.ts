import { z } from 'zod';
import { commonEnv, commonSettings } from './common.js';
import { DEFAULT_AMQP_URL, consumerEnv, consumerSettings, outboxEnv, outboxSettings } from './events.js';
import { port } from './fields.js';
import { gatewayPublicKeyEnv, gatewayPublicKeySettings } from './gateway-key.js';
import type { EnvOf } from './load.js';
import { mongoEnv, mongoSettings } from './mongo.js';
import { refuseDevelopmentDefaults } from './production.js';
import { queryLimitsEnv, queryLimitsSettings } from './query-limits.js';
import { tokenVerifierEnv, tokenVerifierSettings } from './token-verifier.js';

/** What every subgraph reads: the common settings, its PORT, the gateway's public key, its own MongoDB database and the query limits. */
export const subgraphEnv = (service: string, defaultPort: number) => ({
  ...commonEnv,
  ...gatewayPublicKeyEnv,
  PORT: port(defaultPort),
  ...mongoEnv(service),
  ...queryLimitsEnv,
});

export function subgraphSettings(service: string, env: EnvOf<ReturnType<typeof subgraphEnv>>) {
  return {
    ...commonSettings(service, env),
    // The gateway signs each request for one subgraph, by its name in the supergraph (the service name).
    gatewayKey: { ...gatewayPublicKeySettings(env), audience: service },
    mongo: mongoSettings(env),
    limits: queryLimitsSettings(env),
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

export function eventDrivenSubgraphSettings(service: string, env: EnvOf<ReturnType<typeof eventDrivenSubgraphEnv>>) {
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
