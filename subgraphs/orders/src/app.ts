import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import { createServiceVerifier, gatewayCallers, loadGatewayKey, type TokenVerifier } from '@little-ecom/auth';
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
import type { ServiceApp, Worker } from '@little-ecom/service';
import { CARTS, cartIndexes } from './cart/cart.repository.js';
import { CATALOG_BINDINGS, createCatalogHandler } from './catalog/catalog.handler.js';
import { CATALOG, catalogIndexes } from './catalog/catalog.repository.js';
import type { OrdersConfig } from './config.js';
import type { OrdersContext } from './context.js';
import { ORDERS, orderIndexes } from './orders/order.repository.js';
import { invoicePaymentProvider, type PaymentProvider } from './orders/payment.js';
import { SAGA_BINDINGS, createSagaHandler } from './orders/saga.handler.js';
import { createServer } from './server.js';

export interface OrdersAppDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay and the event consumer run only with a broker connection (API-only tests pass none). */
  amqp?: AmqpConnection;
  /** Checks access tokens; by default against the accounts JWKS and revocation feed named in the config. */
  verifier?: TokenVerifier;
  /**
   * The key gateway requests are signed with; by default from the config (GATEWAY_KEY or the
   * development file). `null` serves GraphQL to any caller: only for tests of this subgraph alone.
   */
  gatewayKey?: Buffer | null;
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
  const gatewayKey = deps.gatewayKey === undefined ? loadGatewayKey(config.gatewayKey) : deps.gatewayKey;
  // Ended sessions are polled from accounts (docs/auth.md, "Ending sessions everywhere").
  const service = deps.verifier ? undefined : createServiceVerifier(config.jwt, logger);
  const server = createServer({
    db,
    verifier: deps.verifier ?? service!.verifier,
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
      // GraphQL only from the gateway, which also vouches for the client address.
      ...(gatewayKey ? { authorizeCaller: gatewayCallers(gatewayKey) } : {}),
      metrics,
      readiness: [databaseReadiness(db)],
    },
    start(): Worker[] {
      const revocations: Worker[] = service ? [{ name: 'revocations', stop: async () => service.revocations.stop() }] : [];
      if (!amqp) return revocations;
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
        ...revocations,
        { name: 'event consumer', stop: () => consumer.stop() },
        { name: 'outbox relay', stop: () => relay.stop() },
      ];
    },
  };
}
