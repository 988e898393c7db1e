import {
  commonEnv,
  consumerEnv,
  consumerSettings,
  commonSettings,
  gatewayKeyEnv,
  gatewayKeySettings,
  loadConfig,
  mongoEnv,
  mongoSettings,
  outboxEnv,
  outboxSettings,
  port,
  queryLimitsEnv,
  queryLimitsSettings,
  refuseDevelopmentDefaults,
  tokenVerifierEnv,
  tokenVerifierSettings,
  z,
  type Env,
} from '@little-ecom/config';

const schema = z
  .object({
    ...commonEnv,
    ...queryLimitsEnv,
    ...gatewayKeyEnv,
    PORT: port(4001),
    ...mongoEnv('products'),
    ...tokenVerifierEnv,
    ...outboxEnv,
    ...consumerEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...commonSettings('products', env),
    limits: queryLimitsSettings(env),
    gatewayKey: gatewayKeySettings(env),
    mongo: mongoSettings(env),
    jwt: tokenVerifierSettings(env),
    ...outboxSettings(env),
    // The order saga's commands (order.placed, order.cancelled, order.shipped) arrive on products' own queue.
    events: consumerSettings(env),
  }));

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
