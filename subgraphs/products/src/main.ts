import { createAmqpConnection } from '@little-ecom/amqp';
import { createServiceVerifier, gatewayCallers, loadGatewayKey } from '@little-ecom/auth';
import { startOutboxRelay } from '@little-ecom/events';
import { startHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { exitOnStartupError, onShutdown } from '@little-ecom/shutdown';
import { PRODUCTS, productIndexes, productRemovedWhenDrained } from './catalog/product.repository.js';
import { loadProductsConfig } from './config.js';
import { createServer } from './server.js';

const config = loadProductsConfig(process.env);
const logger = createLogger({ service: config.service, level: config.log.level, fluentd: config.log.fluentd });

try {
  const mongo = await connectMongo({ ...config.mongo, logger });
  await ensureIndexes(mongo.db, { [PRODUCTS]: productIndexes });
  const { verifier, revocations } = createServiceVerifier(config.jwt, logger);
  const { apollo, context } = createServer({ db: mongo.db, verifier, logger, production: config.production });
  // Events wait in product documents while the broker is away; the relay publishes them when it is back.
  const amqp = createAmqpConnection({ url: config.amqp.url, name: 'products', logger });
  const relay = startOutboxRelay({
    db: mongo.db,
    collections: [PRODUCTS],
    connection: amqp,
    logger,
    exchange: config.amqp.exchange,
    ...config.outbox,
    removeWhenDrained: { [PRODUCTS]: productRemovedWhenDrained },
  });
  const http = await startHttpServer(
    {
      apollo,
      context,
      logger,
      // GraphQL only from the gateway, which also vouches for the client address.
      authorizeCaller: gatewayCallers(await loadGatewayKey(config.gatewayKey)),
      readiness: [{ name: 'mongodb', check: () => mongo.ping() }],
    },
    config.http,
  );
  logger.info('products subgraph ready', { url: `${http.url}/graphql` });
  onShutdown(
    logger,
    [
      { name: 'http', run: () => http.drain(config.shutdownTimeoutMs) },
      { name: 'revocations', run: async () => revocations.stop() },
      { name: 'outbox relay', run: () => relay.stop() },
      { name: 'amqp', run: () => amqp.close() },
      { name: 'mongodb', run: () => mongo.close() },
    ],
    { timeoutMs: config.shutdownTimeoutMs + 5_000 },
  );
} catch (error) {
  await exitOnStartupError(logger, error);
}
