import {
  consumerEnv,
  consumerSettings,
  loadConfig,
  outboxEnv,
  outboxSettings,
  subgraphEnv,
  subgraphSettings,
  tokenVerifierEnv,
  tokenVerifierSettings,
  z,
  type Env,
} from '@little-ecom/config';

const schema = z
  .object({
    ...subgraphEnv('orders', 4004),
    ...tokenVerifierEnv,
    ...outboxEnv,
    ...consumerEnv,
  })
  .transform((env) => ({
    ...subgraphSettings('orders', env),
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
