import { fileURLToPath } from 'node:url';
import {
  commonEnv,
  commonSettings,
  gatewayKeyEnv,
  gatewayKeySettings,
  httpUrl,
  list,
  loadConfig,
  port,
  positiveInt,
  refuseDevelopmentDefaults,
  z,
  type Env,
} from '@little-ecom/config';

const defaultSupergraph = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

const schema = z
  .object({
    ...commonEnv,
    PORT: port(4000),
    SUPERGRAPH_PATH: z.string().default(defaultSupergraph),
    SUPERGRAPH_POLL_MS: positiveInt(2_000),
    PRODUCTS_URL: httpUrl('http://127.0.0.1:4001/graphql'),
    ACCOUNTS_URL: httpUrl('http://127.0.0.1:4002/graphql'),
    NOTIFICATIONS_URL: httpUrl('http://127.0.0.1:4003/graphql'),
    CORS_ORIGINS: list([]),
    MAX_DEPTH: positiveInt(10),
    MAX_ALIASES: positiveInt(15),
    MAX_COST: positiveInt(5_000),
    MAX_TOKENS: positiveInt(2_000),
    BODY_LIMIT_BYTES: positiveInt(256 * 1024),
    ...gatewayKeyEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => {
    const production = env.NODE_ENV === 'production';
    return {
      ...commonSettings('gateway', env),
      supergraph: { path: env.SUPERGRAPH_PATH, pollIntervalMs: env.SUPERGRAPH_POLL_MS },
      subgraphUrls: { products: env.PRODUCTS_URL, accounts: env.ACCOUNTS_URL, notifications: env.NOTIFICATIONS_URL },
      // Development allows any origin so Sandbox and local front-ends work; production only the list.
      corsOrigins: env.CORS_ORIGINS.length > 0 || production ? env.CORS_ORIGINS : ['*'],
      limits: { maxDepth: env.MAX_DEPTH, maxAliases: env.MAX_ALIASES, maxCost: env.MAX_COST, maxTokens: env.MAX_TOKENS },
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      gatewayKey: gatewayKeySettings(env),
    };
  });

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** The only place the gateway reads its environment. */
export function loadGatewayConfig(env: Env) {
  return loadConfig('gateway', schema, env);
}
