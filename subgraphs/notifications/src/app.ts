import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier, type TokenVerifier } from '@little-ecom/auth';
import type { Logger } from '@little-ecom/logger';
import type { ServiceApp, Worker } from '@little-ecom/service';
import type { NotificationsConfig } from './config.js';
import type { NotificationsContext } from './context.js';
import { topologyNames, type Topology } from './events/topology.js';
import { ensureNotificationIndexes, startNotificationsRuntime } from './runtime.js';
import { createServer } from './server.js';

export interface NotificationsAppDeps {
  db: Db;
  logger: Logger;
  /** The event consumer and the delivery worker run only with a broker connection (API-only tests pass none). */
  amqp?: AmqpConnection;
  /** Checks access tokens; by default against the accounts JWKS named in the config. */
  verifier?: TokenVerifier;
}

export interface NotificationsApp extends ServiceApp<NotificationsContext> {
  /** The exchange and queues it consumes from (prefixed by AMQP_PREFIX). */
  topology: Topology;
  services: ReturnType<typeof createServer>['services'];
}

/** The whole notifications subgraph, from its config and connections: what main, tests and benches run. */
export async function createNotificationsApp(config: NotificationsConfig, deps: NotificationsAppDeps): Promise<NotificationsApp> {
  const { db, logger, amqp } = deps;
  await ensureNotificationIndexes(db);
  const topology = topologyNames(config.amqp.prefix);
  // Set once the delivery worker runs; until then a retried notification waits for its first poll.
  let wakeDelivery = (): void => undefined;
  const server = createServer({
    db,
    verifier: deps.verifier ?? createTokenVerifier(config.jwt),
    logger,
    production: config.production,
    wakeDelivery: () => wakeDelivery(),
  });
  return {
    name: config.service,
    topology,
    services: server.services,
    http: {
      apollo: server.apollo,
      context: server.context,
      trustProxy: true,
      readiness: [
        { name: 'mongodb', check: async () => void (await db.command({ ping: 1 })) },
        ...(amqp ? [{ name: 'rabbitmq', check: async () => void (await amqp.ready(1_000)) }] : []),
      ],
    },
    start(): Worker[] {
      if (!amqp) return [];
      const runtime = startNotificationsRuntime({
        db,
        connection: amqp,
        topology,
        logger,
        consumer: config.amqp,
        delivery: config.delivery,
        mail: config.mail,
      });
      wakeDelivery = () => runtime.wakeDelivery();
      return [{ name: 'events', stop: () => runtime.stop() }];
    },
  };
}
