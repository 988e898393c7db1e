import { eventProducerSubgraphSchema, loadConfig, type Env } from '@little-ecom/config';

// stock.* answers and the product.* events of the catalog projection arrive on orders' own queue (`events`).
const schema = eventProducerSubgraphSchema('orders', 4004);

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

/** The only place the orders subgraph reads its environment. */
export function loadOrdersConfig(env: Env) {
  return loadConfig('orders', schema, env);
}
