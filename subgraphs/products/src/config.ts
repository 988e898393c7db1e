import {
  DEFAULT_MONGODB_URI,
  commonEnv,
  commonSettings,
  gatewayKeyEnv,
  gatewayKeySettings,
  loadConfig,
  outboxEnv,
  outboxSettings,
  port,
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
    PORT: port(4001),
    MONGODB_URI: z.string().default(DEFAULT_MONGODB_URI),
    MONGODB_DB: z.string().default('products'),
    ...tokenVerifierEnv,
    ...outboxEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...commonSettings('products', env),
    gatewayKey: gatewayKeySettings(env),
    mongo: { uri: env.MONGODB_URI, dbName: env.MONGODB_DB },
    jwt: tokenVerifierSettings(env),
    ...outboxSettings(env),
  }));

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
