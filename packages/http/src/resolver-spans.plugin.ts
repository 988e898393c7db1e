import type { ApolloServerPlugin } from '@apollo/server';
import { failSpan, resolverSpansEnabled, startSpan } from '@little-ecom/telemetry';
import type { RequestContext } from './types.js';

/**
 * A span per root field resolver (`resolve Query.products`, `resolve Mutation.createProduct`, and
 * `_entities` lookups), only when `OTEL_GRAPHQL_RESOLVER_SPANS=true` and tracing is on: nested
 * fields would add thousands of spans to a list query for little insight.
 */
export function resolverSpansPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      if (!resolverSpansEnabled()) return;
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev) return; // root fields only (Query._entities included)
              const { span } = startSpan(`resolve ${info.parentType.name}.${info.fieldName}`, {
                attributes: { 'graphql.field.name': info.fieldName, 'graphql.field.parent': info.parentType.name },
              });
              return (error) => (error ? failSpan(span, error) : span.end());
            },
          };
        },
      };
    },
  };
}
