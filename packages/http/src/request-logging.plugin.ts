import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './types.js';

/**
 * Logs one line per GraphQL operation: name, type, latency and error codes, tagged with the request id.
 * These are the fields the Kibana dashboards chart.
 */
export function requestLoggingPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors, response }) {
          const errorCodes = [
            ...new Set(
              (errors ?? []).map((e) => {
                const code = e.extensions?.['code'];
                return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
              }),
            ),
          ];
          if (response.body.kind === 'single') {
            for (const e of response.body.singleResult.errors ?? []) {
              const code = e.extensions?.['code'];
              if (typeof code === 'string' && !errorCodes.includes(code)) errorCodes.push(code);
            }
          }
          const fields = {
            operation: operationName ?? 'anonymous',
            operationType: operation?.operation ?? 'unknown',
            latencyMs: Math.round((performance.now() - started) * 100) / 100,
            ...(errorCodes.length > 0 ? { errorCodes, errorCode: errorCodes[0] } : {}),
          };
          if (errorCodes.some((c) => c === 'INTERNAL_SERVER_ERROR')) contextValue.scope.logger.warn('graphql request', fields);
          else contextValue.scope.logger.info('graphql request', fields);
        },
      };
    },
  };
}
