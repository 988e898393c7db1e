import {
  commonEnv,
  commonSettings,
  consumerEnv,
  consumerSettings,
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
    PORT: port(4004),
    ...mongoEnv('orders'),
    ...tokenVerifierEnv,
    ...outboxEnv,
    ...consumerEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...commonSettings('orders', env),
    limits: queryLimitsSettings(env),
    gatewayKey: gatewayKeySettings(env),
    mongo: mongoSettings(env),
    jwt: tokenVerifierSettings(env),
    ...outboxSettings(env),
    // stock.* answers and the product.* events of the catalog projection arrive on orders' own queue.
    events: consumerSettings(env),
  }));

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

/** The only place the orders subgraph reads its environment. */
export function loadOrdersConfig(env: Env) {
  return loadConfig('orders', schema, env);
}
