import {
  commonEnv,
  commonSettings,
  gatewayKeyEnv,
  gatewayKeySettings,
  loadConfig,
  mongoEnv,
  mongoSettings,
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
    ...mongoEnv('products'),
    ...tokenVerifierEnv,
    ...outboxEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...commonSettings('products', env),
    gatewayKey: gatewayKeySettings(env),
    mongo: mongoSettings(env),
    jwt: tokenVerifierSettings(env),
    ...outboxSettings(env),
  }));

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
