import type { Db } from 'mongodb';
import { brokerReadiness, type AmqpConnection } from '@little-ecom/amqp';
import {
  consumerTopology,
  startEventConsumer,
  startOutboxRelay,
  type ConsumerTopology,
  startEventTopology,
} from '@little-ecom/events';
import { startRetentionSweep } from '@little-ecom/coordination';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, pingDatabase, serviceMetrics } from '@little-ecom/mongo';
import { subgraphAccess, type ServiceApp, type SubgraphAccessDeps, type Worker } from '@little-ecom/service';
import { PRODUCTS, productRemovedWhenDrained } from './catalog/product.repository.js';
import type { ProductsConfig } from './config.js';
import type { ProductsContext } from './context.js';
import { createServer } from './server.js';
import { createServices, type ProductsServices } from './services.js';
import { STOCK_BINDINGS } from './stock/stock.handler.js';
import { ORDER_STOCK, orderStockRetention } from './stock/stock.repository.js';

export interface ProductsAppDeps extends SubgraphAccessDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay publishes through it; without one, events wait in their documents (API-only tests). */
  amqp?: AmqpConnection;
}

export interface ProductsApp extends ServiceApp<ProductsContext> {
  /** The queues products consumes the order saga from (prefixed by AMQP_PREFIX). */
  topology: ConsumerTopology;
  /** What `createServices` built: the server and the stock consumer run on these. */
  services: ProductsServices;
}

/** The whole products subgraph, from its config and connections: what main, tests and benches run. */
export async function createProductsApp(config: ProductsConfig, deps: ProductsAppDeps): Promise<ProductsApp> {
  const { db, logger, amqp } = deps;
  const services = createServices(db);
  await ensureIndexes(db, services.indexes);
  const topology = consumerTopology('products', STOCK_BINDINGS, config.events.prefix, config.events.retry);
  const metrics = serviceMetrics(db);
  const access = subgraphAccess(config, deps, logger);
  const server = createServer({
    products: services.products,
    verifier: access.verifier,
    logger,
    production: config.production,
    limits: config.limits,
  });
  return {
    name: config.service,
    topology,
    services,
    http: {
      apollo: server.apollo,
      context: server.context,
      metrics,
      ...access.gateway,
      readiness: [
        databaseReadiness(db),
        // Detail only: without the broker writes still succeed and their events wait in the outbox.
        ...(amqp ? [brokerReadiness(amqp)] : []),
      ],
    },
    start(): Worker[] {
      if (!amqp) return access.workers;
      // Every consumer's queue exists before the first event is published, whoever started first.
      startEventTopology(amqp, { exchange: config.amqp.exchange, prefix: config.events.prefix, logger, metrics });
      // Events wait in product documents while the broker is away; the relay publishes them when it is back.
      const relay = startOutboxRelay({
        db,
        collections: [PRODUCTS, ORDER_STOCK],
        connection: amqp,
        logger,
        exchange: config.amqp.exchange,
        ...config.outbox,
        removeWhenDrained: { [PRODUCTS]: productRemovedWhenDrained },
        metrics,
      });
      const consumer = startEventConsumer({
        connection: amqp,
        topology,
        // In the event's scope: its log lines and the events it causes carry the order's correlation id.
        handle: services.handleStockEvent,
        // Paused, not retried, while the database is away.
        probe: pingDatabase(db),
        logger,
        settings: config.events.consumer,
        metrics,
      });
      // Finished orders' stock records, deleted in bounded batches by one replica at a time.
      const retention = startRetentionSweep({
        db,
        leaseCollection: 'retention_leases',
        rules: [orderStockRetention(config.retention.orderStockMs)],
        settings: config.retention,
        onSwept: (deleted) => {
          if (Object.values(deleted).some((n) => n > 0)) logger.info('retention sweep', { deleted });
        },
        onError: (error) => logger.warn('retention sweep failed, will retry', { err: error }),
      });
      return [
        ...access.workers,
        { name: 'stock consumer', stop: () => consumer.stop() },
        { name: 'outbox relay', stop: () => relay.stop() },
        { name: 'retention sweep', stop: () => retention.stop() },
      ];
    },
  };
}
