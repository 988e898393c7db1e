import { createAmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { loadSecretBox } from '@little-ecom/events';
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
    eventSecrets: loadSecretBox(config.eventSecrets),
  });
  const verifier = createTokenVerifier(config.jwt);
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
      trustProxy: true,
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
      { name: 'events', run: () => runtime.stop() },
      { name: 'amqp', run: () => amqp.close() },
      { name: 'mongodb', run: () => mongo.close() },
    ],
    { timeoutMs: config.shutdownTimeoutMs + 5_000 },
  );
} catch (error) {
  await exitOnStartupError(logger, error);
}
