import { loadGatewayKey } from '@little-ecom/auth';
import { startHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { exitOnStartupError, onShutdown } from '@little-ecom/shutdown';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig(process.env);
const logger = createLogger({ service: config.service, level: config.log.level, fluentd: config.log.fluentd });

try {
  const subgraphKey = await loadGatewayKey(config.gatewayKey);
  const { apollo, context, readiness } = createGateway({ ...config, logger, subgraphKey });
  const http = await startHttpServer(
    {
      apollo,
      context,
      logger,
      readiness,
      graphqlPaths: ['/', '/graphql'],
      corsOrigins: config.corsOrigins,
      trustedProxyHops: config.trustedProxyHops,
      bodyLimitBytes: config.bodyLimitBytes,
    },
    config.http,
  );
  logger.info('gateway ready', { url: `${http.url}/`, sandbox: !config.production });
  onShutdown(logger, [{ name: 'http', run: () => http.drain(config.shutdownTimeoutMs) }], {
    timeoutMs: config.shutdownTimeoutMs + 5_000,
  });
} catch (error) {
  await exitOnStartupError(logger, error);
}
