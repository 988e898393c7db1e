import {
  eventDrivenSubgraphEnv,
  eventDrivenSubgraphSettings,
  loadConfig,
  outboxEnv,
  outboxSettings,
  positiveInt,
  refuseDevelopmentDefaults,
  z,
  type Env,
} from '@little-ecom/config';

const DAY_MS = 24 * 60 * 60_000;

// The order saga's commands (order.placed, order.cancelled, order.shipped) arrive on products' own queue (`events`).
const schema = z
  .object({
    ...eventDrivenSubgraphEnv('products', 4001),
    ...outboxEnv,
    /** How often one replica deletes finished order stock records (FerretDB has no TTL indexes). */
    RETENTION_INTERVAL_MS: positiveInt(60 * 60_000),
    /** Records deleted per write, and writes per pass. */
    RETENTION_BATCH_SIZE: positiveInt(500),
    RETENTION_MAX_BATCHES: positiveInt(20),
    /** A REJECTED, CANCELLED or SHIPPED order's stock record, its events published, is deleted this long after its last change. */
    ORDER_STOCK_RETENTION_DAYS: positiveInt(90),
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...eventDrivenSubgraphSettings('products', env),
    ...outboxSettings(env),
    retention: {
      intervalMs: env.RETENTION_INTERVAL_MS,
      batchSize: env.RETENTION_BATCH_SIZE,
      maxBatches: env.RETENTION_MAX_BATCHES,
      orderStockMs: env.ORDER_STOCK_RETENTION_DAYS * DAY_MS,
    },
  }));

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
