import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import {
  CONSUMER_BINDINGS,
  consumerTopology,
  startEventConsumer,
  startOutboxRelay,
  type ConsumerTopology,
  startEventTopology,
} from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { createScope } from '@little-ecom/scope';
import { counter, type Metrics } from '@little-ecom/telemetry';
import { databaseReadiness, ensureIndexes, pingDatabase, serviceMetrics } from '@little-ecom/mongo';
import { subgraphAccess, type ServiceApp, type SubgraphAccessDeps, type Worker } from '@little-ecom/service';
import type { OrdersConfig } from './config.js';
import type { OrdersContext } from './context.js';
import { ORDERS } from './orders/order.repository.js';
import { invoicePaymentProvider, type PaymentProvider } from './orders/payment.js';
import { createServer } from './server.js';
import { createServices, type OrdersServices } from './services.js';

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
  /** What `createServices` built: the server and the event consumer run on these. */
  services: OrdersServices;
}

/** The whole orders subgraph, from its config and connections: what main, tests and benches run. */
export async function createOrdersApp(config: OrdersConfig, deps: OrdersAppDeps): Promise<OrdersApp> {
  const { db, logger, amqp } = deps;
  const services = createServices(db, {
    payment: deps.payment ?? invoicePaymentProvider,
    holds: config.holds,
    pricing: config.pricing,
  });
  await ensureIndexes(db, services.indexes);
  const metrics = serviceMetrics(db);
  const topology = consumerTopology('orders', [...CONSUMER_BINDINGS.orders], config.events.prefix, config.events.retry);
  const access = subgraphAccess(config, deps, logger);
  const server = createServer({
    addresses: services.addresses,
    pricing: services.pricing,
    carts: services.carts,
    orders: services.orders,
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
        handle: services.handleEvent,
        // Paused, not retried, while the database is away.
        probe: pingDatabase(db),
        logger,
        settings: config.events.consumer,
        metrics,
      });
      // Every consumer's queue exists before the first event is published, whoever started first.
      startEventTopology(amqp, { exchange: config.amqp.exchange, prefix: config.events.prefix, logger, metrics });
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
      const reaper = startReaper(services, logger, metrics);
      return [
        ...access.workers,
        { name: 'pending-order reaper', stop: async () => reaper.stop() },
        { name: 'event consumer', stop: () => consumer.stop() },
        { name: 'outbox relay', stop: () => relay.stop() },
      ];
    },
  };
}

/** How often the reaper looks for orders whose timer is due (the timers themselves are in the orders). */
const REAPER_INTERVAL_MS = 15_000;

/**
 * Runs the reaper (OrderService.reapPending, then expireUnpaid) every REAPER_INTERVAL_MS, one pass at
 * a time, and counts what it did in `orders_reaped_total{outcome="republished"|"rejected"|"expired"}`.
 */
function startReaper(services: OrdersServices, logger: Logger, metrics: Metrics) {
  const reaped = counter(
    metrics,
    'orders_reaped_total',
    'Orders past their timeout (PENDING) or payment deadline (CONFIRMED), by what the reaper did',
    ['outcome'],
  );
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const scope = createScope({ logger });
    services.orders
      .reapPending(scope)
      .then(async ({ republished, rejected }) => {
        reaped.inc({ outcome: 'republished' }, republished);
        reaped.inc({ outcome: 'rejected' }, rejected);
        const { expired } = await services.orders.expireUnpaid(scope);
        reaped.inc({ outcome: 'expired' }, expired);
        const guests = await services.carts.expireGuests();
        if (guests > 0) logger.info('stale guest carts deleted', { count: guests });
      })
      .catch((error: unknown) => logger.error('pending-order reaper failed', { err: error }))
      .finally(() => {
        running = false;
      });
  }, REAPER_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
