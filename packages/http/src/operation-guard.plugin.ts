import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';
import type { RequestContext } from './types.js';

/** Longest operation name repeated in an error message or a log line. */
export const MAX_LOGGED_NAME = 100;

export const truncateName = (name: string) => (name.length > MAX_LOGGED_NAME ? `${name.slice(0, MAX_LOGGED_NAME)}…` : name);

const refuse = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/**
 * Client mistakes Apollo would otherwise answer with a 500 (the gateway's executor throws on them, and
 * a subgraph without subscriptions fails inside execution): no operation matching `operationName`, or
 * a subscription, which nothing in little-ecom serves over HTTP. Both become a 400 with a public code.
 */
export function operationGuardPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            const name = request.operationName;
            throw refuse(
              name
                ? `Unknown operation named "${truncateName(name)}"`
                : 'Must provide operationName when the document contains several operations',
              'OPERATION_RESOLUTION_FAILURE',
            );
          }
          if (operation.operation === OperationTypeNode.SUBSCRIPTION)
            throw refuse('Subscriptions are not supported over HTTP', 'BAD_REQUEST');
        },
      };
    },
  };
}
