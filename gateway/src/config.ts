import { fileURLToPath } from 'node:url';
import { bundledSubgraphs } from './subgraph-urls.js';
import {
  bool,
  commonEnv,
  commonSettings,
  gatewaySigningKeyEnv,
  gatewaySigningKeySettings,
  list,
  loadConfig,
  port,
  positiveInt,
  queryLimitsEnv,
  queryLimitsSettings,
  refuseDevelopmentDefaults,
  z,
  type Env,
} from '@little-ecom/config';

const defaultSupergraph = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
const defaultManifest = fileURLToPath(new URL('../trusted-documents.json', import.meta.url));

// PRODUCTS_URL, ACCOUNTS_URL, ...: one variable per subgraph of the shipped supergraph. No default: an
// unset variable leaves the URL the served supergraph gives (the shipped one gives the local ports), so a
// different supergraph whose subgraphs happen to share a name is never sent to 127.0.0.1.
const subgraphs = bundledSubgraphs(defaultSupergraph);
const subgraphUrlEnv = Object.fromEntries(
  subgraphs.map((s) => [s.urlEnv, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()]),
);

const schema = z
  .object({
    ...commonEnv,
    PORT: port(4000),
    SUPERGRAPH_PATH: z.string().default(defaultSupergraph),
    SUPERGRAPH_POLL_MS: positiveInt(2_000),
    ...subgraphUrlEnv,
    CORS_ORIGINS: list([]),
    ...queryLimitsEnv,
    BODY_LIMIT_BYTES: positiveInt(256 * 1024),
    SUBGRAPH_MAX_SOCKETS: positiveInt(64),
    SUBGRAPH_TIMEOUT_MS: positiveInt(10_000),
    SUBGRAPH_KEEPALIVE_MS: positiveInt(4_000),
    SUBGRAPH_MAX_RESPONSE_BYTES: positiveInt(16 * 1024 * 1024),
    SUBGRAPH_DEDUP: bool(true),
    SUBGRAPH_DEDUP_MAX_IN_FLIGHT: positiveInt(1_000),
    RESPONSE_CACHE: bool(true),
    RESPONSE_CACHE_MAX_ENTRIES: positiveInt(5_000),
    REDIS_URL: z.string().url().optional(),
    REDIS_KEY_PREFIX: z.string().default('little-ecom:gateway:'),
    REDIS_COMMAND_TIMEOUT_MS: positiveInt(100),
    PERSISTED_QUERIES: z.enum(['apq', 'trusted', 'off']).default('apq'),
    TRUSTED_DOCUMENTS_PATH: z.string().default(defaultManifest),
    APQ_TTL_SECONDS: positiveInt(86_400),
    ...gatewaySigningKeyEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => {
    const production = env.NODE_ENV === 'production';
    return {
      ...commonSettings('gateway', env),
      supergraph: { path: env.SUPERGRAPH_PATH, pollIntervalMs: env.SUPERGRAPH_POLL_MS },
      // Only the URLs set in env; the served supergraph's own URL applies to every other subgraph. The
      // variables are built from the list above, so their keys are not in the static type.
      subgraphUrls: Object.fromEntries(
        subgraphs.flatMap((s) => {
          const url = (env as Record<string, unknown>)[s.urlEnv];
          return typeof url === 'string' ? [[s.name, url] as const] : [];
        }),
      ),
      // Development allows any origin so Sandbox and local front-ends work; production only the list.
      corsOrigins: env.CORS_ORIGINS.length > 0 || production ? env.CORS_ORIGINS : ['*'],
      limits: queryLimitsSettings(env),
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      subgraphFetch: {
        maxSocketsPerSubgraph: env.SUBGRAPH_MAX_SOCKETS,
        timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        keepAliveMs: env.SUBGRAPH_KEEPALIVE_MS,
        maxResponseBytes: env.SUBGRAPH_MAX_RESPONSE_BYTES,
        dedupMaxInFlight: env.SUBGRAPH_DEDUP ? env.SUBGRAPH_DEDUP_MAX_IN_FLIGHT : 0,
      },
      persistedQueries: {
        mode: env.PERSISTED_QUERIES,
        manifestPath: env.TRUSTED_DOCUMENTS_PATH,
        apqTtlSeconds: env.APQ_TTL_SECONDS,
      },
      // Redis when REDIS_URL is set (shared by all replicas), otherwise an in-process LRU.
      responseCache: env.RESPONSE_CACHE
        ? {
            maxEntries: env.RESPONSE_CACHE_MAX_ENTRIES,
            redis: env.REDIS_URL
              ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS }
              : undefined,
          }
        : undefined,
      gatewayKey: gatewaySigningKeySettings(env),
    };
  });

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** The only place the gateway reads its environment. */
export function loadGatewayConfig(env: Env) {
  return loadConfig('gateway', schema, env);
}
