import type { ApolloServerPlugin } from '@apollo/server';
import { currentWorkStats } from '@little-ecom/scope';
import { truncateName } from './operation-guard.plugin.js';
import type { RequestContext } from './types.js';

/**
 * Logs one line per GraphQL operation: name, type, latency and error codes, tagged with the request id
 * (and the trace id when traced), and the MongoDB commands the request ran in this service with their
 * total time (`dbCommands`, `dbTimeMs`, `dbFailures`: every request, where traces are sampled).
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
                if (typeof code === 'string') return code;
                // Apollo's uncoded request errors (a 4xx status) are the client's; the formatter calls them BAD_REQUEST.
                const status = (e.extensions?.['http'] as { status?: number } | undefined)?.status ?? 500;
                return status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
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
            // A client picks the name: a 200 KB one must not become a 200 KB log line.
            operation: operationName ? truncateName(operationName) : 'anonymous',
            operationType: operation?.operation ?? 'unknown',
            latencyMs: Math.round((performance.now() - started) * 100) / 100,
            ...(errorCodes.length > 0 ? { errorCodes, errorCode: errorCodes[0] } : {}),
            ...databaseFields(),
          };
          // Every refusal of a signed-in or anonymous caller is a security event, whatever service refused it.
          if (errorCodes.includes('FORBIDDEN'))
            contextValue.scope.logger.warn('authorization failed', {
              security: 'authorization_failed',
              clientIp: contextValue.scope.clientIp ?? 'unknown',
              operation: fields.operation,
              reason: 'forbidden',
            });
          if (errorCodes.some((c) => c === 'INTERNAL_SERVER_ERROR')) contextValue.scope.logger.warn('graphql request', fields);
          else contextValue.scope.logger.info('graphql request', fields);
        },
      };
    },
  };
}

/** The database work of the request so far, as log fields (none outside a request). */
function databaseFields() {
  const stats = currentWorkStats();
  if (!stats) return {};
  return {
    dbCommands: stats.dbCommands,
    dbTimeMs: Math.round(stats.dbTimeMs * 100) / 100,
    ...(stats.dbFailures > 0 ? { dbFailures: stats.dbFailures } : {}),
  };
}
