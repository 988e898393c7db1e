import {
  bool,
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
import { DEFAULT_SHIPPING_METHODS, DEFAULT_TAX_RATES, shippingMethodSchema } from './pricing/rates.js';

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
    /** True: catalog prices and shipping include tax (VAT-style); false: tax is added at checkout. */
    PRICES_INCLUDE_TAX: bool(true),
    /** Tax rates in percent per country, e.g. `DE:19,FR:20`; unset: the EU VAT standard rates. Others pay none. */
    TAX_RATES: z
      .string()
      .regex(/^\s*$|^[A-Z]{2}:\d{1,2}(\.\d{1,2})?(,[A-Z]{2}:\d{1,2}(\.\d{1,2})?)*$/, 'must look like DE:19,FR:20')
      .optional(),
    /** The shipping methods as JSON (see src/pricing/rates.ts); unset: Standard and Express from Germany. */
    SHIPPING_METHODS_JSON: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        try {
          return z.array(shippingMethodSchema).min(1).parse(JSON.parse(v));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `is not a valid list of shipping methods: ${String(error)}` });
          return z.NEVER;
        }
      }),
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
    pricing: {
      pricesIncludeTax: env.PRICES_INCLUDE_TAX,
      taxRates: env.TAX_RATES?.trim()
        ? Object.fromEntries(env.TAX_RATES.split(',').map((pair) => [pair.slice(0, 2), Number(pair.slice(3))]))
        : DEFAULT_TAX_RATES,
      shippingMethods: env.SHIPPING_METHODS_JSON ?? DEFAULT_SHIPPING_METHODS,
    },
  }));

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

/** The only place the orders subgraph reads its environment. */
export function loadOrdersConfig(env: Env) {
  return loadConfig('orders', schema, env);
}
