import {
  DEFAULT_MONGODB_URI,
  commonEnv,
  consumerEnv,
  consumerSettings,
  commonSettings,
  loadConfig,
  outboxEnv,
  outboxSettings,
  port,
  tokenVerifierEnv,
  tokenVerifierSettings,
  z,
  type Env,
} from '@little-ecom/config';

const schema = z
  .object({
    ...commonEnv,
    PORT: port(4001),
    MONGODB_URI: z.string().default(DEFAULT_MONGODB_URI),
    MONGODB_DB: z.string().default('products'),
    ...tokenVerifierEnv,
    ...outboxEnv,
    ...consumerEnv,
  })
  .transform((env) => ({
    ...commonSettings('products', env),
    mongo: { uri: env.MONGODB_URI, dbName: env.MONGODB_DB },
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
