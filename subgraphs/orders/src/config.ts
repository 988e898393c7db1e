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

// stock.* answers and the product.* events of the catalog projection arrive on orders' own queue (`events`).
const schema = z
  .object({
    ...eventDrivenSubgraphEnv('orders', 4004),
    ...outboxEnv,
    /** A confirmed order still unpaid this long after confirmation is cancelled, and its stock released. */
    ORDER_UNPAID_EXPIRY_HOURS: positiveInt(72),
    /** Orders one customer may have open and unpaid at once (PENDING, or CONFIRMED and not paid). */
    ORDER_MAX_OPEN_UNPAID: positiveInt(5),
    /** Units those orders may hold together, the new one included. */
    ORDER_MAX_HELD_UNITS: positiveInt(100),
  })
  .superRefine(refuseDevelopmentDefaults)
  .transform((env) => ({
    ...eventDrivenSubgraphSettings('orders', env),
    ...outboxSettings(env),
    holds: {
      unpaidExpiryMs: env.ORDER_UNPAID_EXPIRY_HOURS * 60 * 60_000,
      maxOpenUnpaid: env.ORDER_MAX_OPEN_UNPAID,
      maxHeldUnits: env.ORDER_MAX_HELD_UNITS,
    },
  }));

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

/** The only place the orders subgraph reads its environment. */
export function loadOrdersConfig(env: Env) {
  return loadConfig('orders', schema, env);
}
