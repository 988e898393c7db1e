import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { apolloDefaults, type ApolloDefaultsOptions } from './apollo-defaults.js';
import { subgraphLimits, type QueryLimits } from './query-limits.js';
import type { RequestContext } from './types.js';

/** What a subgraph's `createServer` takes for its Apollo Server (see `subgraphApollo`). */
export interface SubgraphApolloOptions extends ApolloDefaultsOptions {
  /** The gateway's query limits (config `limits`); the subgraph enforces them with the planner's headroom. */
  limits: QueryLimits;
}

/** A subgraph's SDL, parsed: its schema.graphql, read once when the server module loads. */
export function readTypeDefs(file: URL): DocumentNode {
  return parse(readFileSync(file, 'utf8'));
}

/** A subgraph's Apollo Server over `schema`: our defaults, with the gateway's limits plus the query planner's headroom. */
export function subgraphApollo<TContext extends RequestContext>(
  schema: GraphQLSchema,
  { limits, ...options }: SubgraphApolloOptions,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({ schema, ...apolloDefaults<TContext>({ ...options, limits: subgraphLimits(limits) }) });
}
