import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import { consumerTopology, startEventConsumer, startOutboxRelay, type ConsumerTopology } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, pingDatabase, serviceMetrics } from '@little-ecom/mongo';
import { subgraphAccess, type ServiceApp, type SubgraphAccessDeps, type Worker } from '@little-ecom/service';
import type { OrdersConfig } from './config.js';
import type { OrdersContext } from './context.js';
import { EVENT_BINDINGS, createEventHandler } from './events/event.handler.js';
import { ORDERS } from './orders/order.repository.js';
import { invoicePaymentProvider, type PaymentProvider } from './orders/payment.js';
import { createServer } from './server.js';
import { createOrdersServices, type OrdersServices } from './services.js';

export interface OrdersAppDeps extends SubgraphAccessDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay and the event consumer run only with a broker connection (API-only tests pass none). */
  amqp?: AmqpConnection;
  /** How orders are paid; pay on delivery / invoice by default (see orders/payment.ts). */
  payment?: PaymentProvider;
}

export interface OrdersApp extends ServiceApp<OrdersContext> {
  /** The queues orders consumes from (prefixed by AMQP_PREFIX). */
  topology: ConsumerTopology;
  /** Built once (services.ts) and shared by the server and the consumer; tests use them directly. */
  services: OrdersServices['services'];
  repositories: OrdersServices['repositories'];
}

/** The whole orders subgraph, from its config and connections: what main, tests and benches run. */
export async function createOrdersApp(config: OrdersConfig, deps: OrdersAppDeps): Promise<OrdersApp> {
  const { db, logger, amqp } = deps;
  const { repositories, services, indexes } = createOrdersServices(db, { payment: deps.payment ?? invoicePaymentProvider });
  await ensureIndexes(db, indexes);
  const metrics = serviceMetrics(db);
  const topology = consumerTopology('orders', EVENT_BINDINGS, config.events.prefix, config.events.retry);
  const access = subgraphAccess(config, deps, logger);
  const server = createServer({
    services,
    verifier: access.verifier,
    logger,
    production: config.production,
    limits: config.limits,
  });
  return {
    name: config.service,
    topology,
    services,
    repositories,
    http: {
      apollo: server.apollo,
      context: server.context,
      ...access.gateway,
      metrics,
      readiness: [databaseReadiness(db)],
    },
    start(): Worker[] {
      if (!amqp) return access.workers;
      const consumer = startEventConsumer({
        connection: amqp,
        topology,
        // In the event's scope: its log lines and the events it causes carry the order's correlation id.
        handle: createEventHandler(services),
        // Paused, not retried, while the database is away.
        probe: pingDatabase(db),
        logger,
        settings: config.events.consumer,
        metrics,
      });
      // Events wait in order documents while the broker is away; the relay publishes them when it is back.
      const relay = startOutboxRelay({
        db,
        collections: [ORDERS],
        connection: amqp,
        logger,
        exchange: config.amqp.exchange,
        ...config.outbox,
        metrics,
      });
      return [
        ...access.workers,
        { name: 'event consumer', stop: () => consumer.stop() },
        { name: 'outbox relay', stop: () => relay.stop() },
      ];
    },
  };
}
