import type { KeyObject } from 'node:crypto';
import type { Logger } from '@little-ecom/logger';
import type { ServiceApp } from '@little-ecom/service';
import { createMetrics } from '@little-ecom/telemetry';
import type { GatewayConfig } from './config.js';
import { createGateway } from './server.js';
import type { GatewayContext, ResponseStore } from './types.js';

export interface GatewayApp extends ServiceApp<GatewayContext> {
  /** Whether the supergraph was loaded and which subgraphs it names (for health detail and tests). */
  gateway: ReturnType<typeof createGateway>['gateway'];
  /** Counters: deduplicated subgraph fetches, response cache hits. */
  stats: ReturnType<typeof createGateway>['stats'];
  /** Closes the keep-alive connections to the subgraphs. */
  close(): void;
}

/** The whole gateway service from its config: what main, tests and benches run. */
export function createGatewayApp(
  config: GatewayConfig,
  deps: { logger: Logger; subgraphKey: KeyObject; responseStore?: ResponseStore | undefined },
): GatewayApp {
  const metrics = createMetrics();
  const { apollo, context, readiness, gateway, stats, close } = createGateway({
    ...config,
    metrics,
    logger: deps.logger,
    responseStore: deps.responseStore,
    subgraphKey: deps.subgraphKey,
  });
  return {
    name: config.service,
    gateway,
    stats,
    close,
    http: {
      apollo,
      context,
      readiness,
      metrics,
      // Sandbox opens on `/`; clients may use either path.
      graphqlPaths: ['/', '/graphql'],
      corsOrigins: config.corsOrigins,
      trustedProxyHops: config.trustedProxyHops,
      bodyLimitBytes: config.bodyLimitBytes,
    },
  };
}
