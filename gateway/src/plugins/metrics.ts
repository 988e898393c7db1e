import type { ApolloServerPlugin } from '@apollo/server';
import { boundedLabel, counter, histogram, type Metrics } from '@little-ecom/telemetry';
import type { GatewayContext } from '../types.js';

/** Operation names are chosen by clients: the first this many get their own series, later ones are `other`. */
const MAX_OPERATION_LABELS = 200;

/**
 * The gateway's GraphQL metrics: requests, errors by code and latency per operation (name and
 * type), and the latency of every subgraph fetch (`observeFetch`, called by the data source).
 */
export function metricsPlugin(metrics: Metrics) {
  const operationLabel = boundedLabel(MAX_OPERATION_LABELS);
  const requests = counter(metrics, 'graphql_requests_total', 'GraphQL operations served', ['operation', 'type', 'outcome']);
  const errors = counter(metrics, 'graphql_errors_total', 'GraphQL errors returned, by code', ['operation', 'code']);
  const duration = histogram(metrics, 'graphql_request_duration_seconds', 'GraphQL operation latency', ['operation', 'type']);
  const fetches = histogram(metrics, 'gateway_subgraph_fetch_duration_seconds', 'Subgraph fetch latency', [
    'subgraph',
    'outcome',
  ]);

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors: requestErrors, response }) {
          const op = operationLabel(operationName);
          const type = operation?.operation ?? 'unknown';
          const codes = new Set<string>();
          for (const e of requestErrors ?? [])
            codes.add(typeof e.extensions?.['code'] === 'string' ? e.extensions['code'] : 'INTERNAL_SERVER_ERROR');
          if (response.body.kind === 'single')
            for (const e of response.body.singleResult.errors ?? [])
              if (typeof e.extensions?.['code'] === 'string') codes.add(e.extensions['code']);
          for (const code of codes) errors.inc({ operation: op, code });
          requests.inc({ operation: op, type, outcome: codes.size > 0 ? 'error' : 'ok' });
          duration.observe({ operation: op, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
  return {
    plugin,
    observeFetch: (subgraph: string, seconds: number, ok: boolean) =>
      fetches.observe({ subgraph, outcome: ok ? 'ok' : 'error' }, seconds),
  };
}
