import { eventProducerSubgraphSchema, loadConfig, type Env } from '@little-ecom/config';

// The order saga's commands (order.placed, order.cancelled, order.shipped) arrive on products' own queue (`events`).
const schema = eventProducerSubgraphSchema('products', 4001);

export type ProductsConfig = ReturnType<typeof loadProductsConfig>;

/** The only place the products subgraph reads its environment. */
export function loadProductsConfig(env: Env) {
  return loadConfig('products', schema, env);
}
