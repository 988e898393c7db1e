import type { Db } from 'mongodb';
import { brokerReadiness, type AmqpConnection } from '@little-ecom/amqp';
import type { ConsumerTopology } from '@little-ecom/events';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, serviceMetrics } from '@little-ecom/mongo';
import { subgraphAccess, type ServiceApp, type SubgraphAccessDeps, type Worker } from '@little-ecom/service';
import type { NotificationsConfig } from './config.js';
import type { NotificationsContext } from './context.js';
import { notificationsTopology } from './events/topology.js';
import { startNotificationsRuntime } from './runtime.js';
import { createServer } from './server.js';
import { createServices, type NotificationsServices } from './services.js';

export interface NotificationsAppDeps extends SubgraphAccessDeps {
  db: Db;
  logger: Logger;
  /** The event consumer and the delivery worker run only with a broker connection (API-only tests pass none). */
  amqp?: AmqpConnection;
  /** Opens the sealed reset token to render its email; by default from EVENT_SECRETS_KEY (or the development key file). */
  eventSecrets?: SecretBox;
}

export interface NotificationsApp extends ServiceApp<NotificationsContext> {
  /** The exchange and queues it consumes from (prefixed by AMQP_PREFIX). */
  topology: ConsumerTopology;
  /** What `createServices` built: the server and the workers run on these. */
  services: NotificationsServices;
  /** True while the event consumer is paused because the database is unreachable (also in /readyz). */
  consumerPaused(): boolean;
}

/** The whole notifications subgraph, from its config and connections: what main, tests and benches run. */
export async function createNotificationsApp(config: NotificationsConfig, deps: NotificationsAppDeps): Promise<NotificationsApp> {
  const { db, logger, amqp } = deps;
  // Set once the workers run; until then a retried notification waits for the delivery worker's first poll.
  let wakeDelivery = (): void => undefined;
  let consumerPaused = (): boolean => false;
  let consumerRefused = (): string | null => null;
  const services = createServices(db, { delivery: config.delivery, onRequeued: () => wakeDelivery() });
  await ensureIndexes(db, services.indexes);
  const access = subgraphAccess(config, deps, logger);
  const topology = notificationsTopology(config.events.prefix, config.events.retry);
  const metrics = serviceMetrics(db);
  const server = createServer({
    notifications: services.notifications,
    verifier: access.verifier,
    logger,
    production: config.production,
    limits: config.limits,
  });
  return {
    name: config.service,
    topology,
    services,
    consumerPaused: () => consumerPaused(),
    http: {
      apollo: server.apollo,
      context: server.context,
      metrics,
      ...access.gateway,
      readiness: [
        databaseReadiness(db),
        // Detail only: without RabbitMQ the API still serves; events wait in the producers' outboxes.
        ...(amqp ? [brokerReadiness(amqp)] : []),
        {
          // Not informational: a consumer the broker refuses (a queue declared with other arguments)
          // never consumes until someone fixes the broker, unlike an outage, which heals itself.
          name: 'event-subscription',
          check: async () => {
            const refused = consumerRefused();
            if (refused) throw new Error(`not subscribed: ${refused}`);
          },
        },
        {
          name: 'event-consumer',
          informational: true,
          check: async () => {
            if (consumerPaused()) throw new Error('paused: database unreachable');
          },
        },
      ],
    },
    start(): Worker[] {
      if (!amqp) return access.workers;
      const runtime = startNotificationsRuntime({
        db,
        repositories: services.repositories,
        connection: amqp,
        topology,
        logger,
        consumer: config.events.consumer,
        delivery: config.delivery,
        mail: config.mail,
        retention: config.retention,
        awaitUserMs: config.awaitUserMs,
        eventSecrets: deps.eventSecrets ?? loadSecretBox(config.eventSecrets),
        metrics,
      });
      wakeDelivery = () => runtime.wakeDelivery();
      consumerPaused = () => runtime.consumerPaused();
      consumerRefused = () => runtime.consumerRefused();
      return [...access.workers, { name: 'events', stop: () => runtime.stop() }];
    },
  };
}
