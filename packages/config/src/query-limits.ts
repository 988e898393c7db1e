import { positiveInt } from './fields.js';
import type { EnvOf } from './load.js';

/**
 * Query limits (depth, aliases, cost, tokens): the gateway enforces them, every subgraph the same with
 * the query planner's headroom (`subgraphLimits` in @little-ecom/http). Set them alike on all services.
 */
export const queryLimitsEnv = {
  MAX_DEPTH: positiveInt(10),
  MAX_ALIASES: positiveInt(15),
  MAX_COST: positiveInt(5_000),
  MAX_TOKENS: positiveInt(2_000),
};

export function queryLimitsSettings(env: EnvOf<typeof queryLimitsEnv>) {
  return { maxDepth: env.MAX_DEPTH, maxAliases: env.MAX_ALIASES, maxCost: env.MAX_COST, maxTokens: env.MAX_TOKENS };
}
