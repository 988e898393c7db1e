import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import {
  consumerTopology,
  startEventConsumer,
  startOutboxRelay,
  type ConsumerTopology,
  type CheckedEvent,
} from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, pingDatabase, serviceMetrics } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import { subgraphAccess, type ServiceApp, type SubgraphAccessDeps, type Worker } from '@little-ecom/service';
import { CARTS, cartIndexes } from './cart/cart.repository.js';
import { CATALOG_BINDINGS, createCatalogHandler } from './catalog/catalog.handler.js';
import { CATALOG, catalogIndexes } from './catalog/catalog.repository.js';
import type { OrdersConfig } from './config.js';
import type { OrdersContext } from './context.js';
import { ORDERS, orderIndexes } from './orders/order.repository.js';
import { invoicePaymentProvider, type PaymentProvider } from './orders/payment.js';
import { SAGA_BINDINGS, createSagaHandler } from './orders/saga.handler.js';
import { createServer } from './server.js';

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
  services: ReturnType<typeof createServer>['services'];
}

/** The whole orders subgraph, from its config and connections: what main, tests and benches run. */
export async function createOrdersApp(config: OrdersConfig, deps: OrdersAppDeps): Promise<OrdersApp> {
  const { db, logger, amqp } = deps;
  await ensureIndexes(db, { [ORDERS]: orderIndexes, [CARTS]: cartIndexes, [CATALOG]: catalogIndexes });
  const metrics = serviceMetrics(db);
  const topology = consumerTopology('orders', [...SAGA_BINDINGS, ...CATALOG_BINDINGS], config.events.prefix, config.events.retry);
  const access = subgraphAccess(config, deps, logger);
  const server = createServer({
    db,
    verifier: access.verifier,
    logger,
    production: config.production,
    limits: config.limits,
    payment: deps.payment ?? invoicePaymentProvider,
  });
  return {
    name: config.service,
    topology,
    services: server.services,
    http: {
      apollo: server.apollo,
      context: server.context,
      ...access.gateway,
      metrics,
      readiness: [databaseReadiness(db)],
    },
    start(): Worker[] {
      if (!amqp) return access.workers;
      const saga = createSagaHandler({ orders: server.services.orders });
      const catalog = createCatalogHandler({ catalog: server.services.catalog });
      // In the event's scope: its log lines and the events it causes carry the order's correlation id.
      const handle = (scope: Scope, event: CheckedEvent) =>
        event.type.startsWith('product.') ? catalog(event) : saga(scope, event);
      const consumer = startEventConsumer({
        connection: amqp,
        topology,
        handle,
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
