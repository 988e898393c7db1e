import {
  consumerEnv,
  consumerSettings,
  loadConfig,
  outboxEnv,
  outboxSettings,
  refuseDevelopmentDefaults,
  subgraphEnv,
  subgraphSettings,
  tokenVerifierEnv,
  tokenVerifierSettings,
  z,
  type Env,
} from '@little-ecom/config';

const schema = z
  .object({
    ...subgraphEnv('products', 4001),
    ...tokenVerifierEnv,
    ...outboxEnv,
    ...consumerEnv,
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...subgraphSettings('products', env),
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
