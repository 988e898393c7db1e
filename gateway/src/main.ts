import { startHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { exitOnStartupError, onShutdown } from '@little-ecom/shutdown';
import { loadGatewayConfig } from './config.js';
import { createMemoryStore, createRedisStore } from './response-cache.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig(process.env);
const logger = createLogger({ service: config.service, level: config.log.level, fluentd: config.log.fluentd });

const cache = config.responseCache;
const responseStore = cache?.redis
  ? createRedisStore({ ...cache.redis, logger })
  : cache
    ? createMemoryStore(cache.maxEntries)
    : undefined;

try {
  const { apollo, context, readiness, close } = createGateway({ ...config, logger, responseStore });
  const http = await startHttpServer(
    {
      apollo,
      context,
      logger,
      readiness,
      graphqlPaths: ['/', '/graphql'],
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      bodyLimitBytes: config.bodyLimitBytes,
    },
    config.http,
  );
  logger.info('gateway ready', { url: `${http.url}/`, sandbox: !config.production });
  onShutdown(
    logger,
    [
      { name: 'http', run: () => http.drain(config.shutdownTimeoutMs) },
      { name: 'subgraph connections', run: async () => close() },
      { name: 'response cache', run: async () => responseStore?.close() },
    ],
    {
      timeoutMs: config.shutdownTimeoutMs + 5_000,
    },
  );
} catch (error) {
  await exitOnStartupError(logger, error);
}
