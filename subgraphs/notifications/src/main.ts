import { createAmqpConnection } from '@little-ecom/amqp';
import { createServiceVerifier, gatewayCallers, loadGatewayKey } from '@little-ecom/auth';
import { startHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { connectMongo } from '@little-ecom/mongo';
import { exitOnStartupError, onShutdown } from '@little-ecom/shutdown';
import { loadNotificationsConfig } from './config.js';
import { topologyNames } from './events/topology.js';
import { ensureNotificationIndexes, startNotificationsRuntime } from './runtime.js';
import { createServer } from './server.js';

const config = loadNotificationsConfig(process.env);
const logger = createLogger({ service: config.service, level: config.log.level, fluentd: config.log.fluentd });

try {
  const mongo = await connectMongo({ ...config.mongo, logger });
  await ensureNotificationIndexes(mongo.db);
  const amqp = createAmqpConnection({ url: config.amqp.url, name: 'notifications', logger });
  const runtime = startNotificationsRuntime({
    db: mongo.db,
    connection: amqp,
    topology: topologyNames(config.amqp.prefix),
    logger,
    consumer: config.amqp,
    delivery: config.delivery,
    mail: config.mail,
  });
  const { verifier, revocations } = createServiceVerifier(config.jwt, logger);
  const { apollo, context } = createServer({
    db: mongo.db,
    verifier,
    logger,
    production: config.production,
    wakeDelivery: () => runtime.wakeDelivery(),
  });
  const http = await startHttpServer(
    {
      apollo,
      context,
      logger,
      // GraphQL only from the gateway, which also vouches for the client address.
      authorizeCaller: gatewayCallers(await loadGatewayKey(config.gatewayKey)),
      readiness: [
        { name: 'mongodb', check: () => mongo.ping() },
        { name: 'rabbitmq', check: async () => void (await amqp.ready(1_000)) },
      ],
    },
    config.http,
  );
  logger.info('notifications subgraph ready', { url: `${http.url}/graphql` });
  onShutdown(
    logger,
    [
      { name: 'http', run: () => http.drain(config.shutdownTimeoutMs) },
      { name: 'revocations', run: async () => revocations.stop() },
      { name: 'events', run: () => runtime.stop() },
      { name: 'amqp', run: () => amqp.close() },
      { name: 'mongodb', run: () => mongo.close() },
    ],
    { timeoutMs: config.shutdownTimeoutMs + 5_000 },
  );
} catch (error) {
  await exitOnStartupError(logger, error);
}
