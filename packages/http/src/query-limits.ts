import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { queryCostPlugin } from './query-cost.js';
import type { RequestContext } from './types.js';

/** Depth, alias, cost and token limits of one GraphQL server (MAX_DEPTH, MAX_ALIASES, MAX_COST, MAX_TOKENS). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

/**
 * A subgraph's limits from the gateway's: the same settings, with room for what the query planner adds
 * to an allowed client operation — an `_entities` level, and the key fields and `__typename`s it
 * selects (more tokens and cost). A request the gateway refuses never gets that far; anything else
 * calling a subgraph directly (and signed) is held to about the same bounds.
 */
export function subgraphLimits(gateway: QueryLimits): QueryLimits {
  return {
    maxDepth: gateway.maxDepth + 1,
    maxAliases: gateway.maxAliases,
    maxCost: gateway.maxCost * 2,
    maxTokens: gateway.maxTokens * 2,
  };
}

/**
 * The Apollo options enforcing `limits`: tokens in the parser (an over-long or over-deep document is
 * refused before it is parsed further, 400), depth/aliases as validation rules, cost once the
 * variables are known (query-cost.ts); in production also no field suggestions.
 */
export function queryLimitOptions<TContext extends RequestContext>(limits: QueryLimits, production: boolean) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: !production, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    // Cost needs the request's variables, which validation rules never see: queryCostPlugin below.
    costLimit: { enabled: false },
    // Token limits are enforced by Apollo's own parser (parseOptions) so over-long documents get a 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: armor.validationRules,
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<TContext>[]),
      queryCostPlugin<TContext>(limits.maxCost, { ignoreIntrospection: !production }),
    ],
  };
}
