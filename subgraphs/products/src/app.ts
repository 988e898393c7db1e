import type { Db } from 'mongodb';
import { brokerReadiness, type AmqpConnection } from '@little-ecom/amqp';
import { createServiceVerifier, gatewayCallers, loadGatewayKey, type TokenVerifier } from '@little-ecom/auth';
import { consumerTopology, startEventConsumer, startOutboxRelay, type ConsumerTopology } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, pingDatabase, serviceMetrics } from '@little-ecom/mongo';
import type { ServiceApp, Worker } from '@little-ecom/service';
import { PRODUCTS, productIndexes, productRemovedWhenDrained } from './catalog/product.repository.js';
import type { ProductsConfig } from './config.js';
import type { ProductsContext } from './context.js';
import { STOCK_BINDINGS, createStockHandler } from './stock/stock.handler.js';
import { ORDER_STOCK, createStockRepository, orderStockIndexes } from './stock/stock.repository.js';
import { createServer } from './server.js';

export interface ProductsAppDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay publishes through it; without one, events wait in their documents (API-only tests). */
  amqp?: AmqpConnection;
  /** Checks access tokens; by default against the accounts JWKS and revocation feed named in the config. */
  verifier?: TokenVerifier;
  /**
   * The key gateway requests are signed with; by default from the config (GATEWAY_KEY or the
   * development file). `null` serves GraphQL to any caller: only for tests of this subgraph alone.
   */
  gatewayKey?: Buffer | null;
}

export interface ProductsApp extends ServiceApp<ProductsContext> {
  /** The queues products consumes the order saga from (prefixed by AMQP_PREFIX). */
  topology: ConsumerTopology;
  services: ReturnType<typeof createServer>['services'];
}

/** The whole products subgraph, from its config and connections: what main, tests and benches run. */
export async function createProductsApp(config: ProductsConfig, deps: ProductsAppDeps): Promise<ProductsApp> {
  const { db, logger, amqp } = deps;
  await ensureIndexes(db, { [PRODUCTS]: productIndexes, [ORDER_STOCK]: orderStockIndexes });
  const topology = consumerTopology('products', STOCK_BINDINGS, config.events.prefix, config.events.retry);
  const metrics = serviceMetrics(db);
  const gatewayKey = deps.gatewayKey === undefined ? loadGatewayKey(config.gatewayKey) : deps.gatewayKey;
  // Ended sessions are polled from accounts (docs/auth.md, "Ending sessions everywhere").
  const service = deps.verifier ? undefined : createServiceVerifier(config.jwt, logger);
  const server = createServer({
    db,
    verifier: deps.verifier ?? service!.verifier,
    logger,
    production: config.production,
    limits: config.limits,
  });
  return {
    name: config.service,
    topology,
    services: server.services,
    http: {
      apollo: server.apollo,
      context: server.context,
      metrics,
      // GraphQL only from the gateway, which also vouches for the client address.
      ...(gatewayKey ? { authorizeCaller: gatewayCallers(gatewayKey) } : {}),
      readiness: [
        databaseReadiness(db),
        // Detail only: without the broker writes still succeed and their events wait in the outbox.
        ...(amqp ? [brokerReadiness(amqp)] : []),
      ],
    },
    start(): Worker[] {
      const revocations: Worker[] = service ? [{ name: 'revocations', stop: async () => service.revocations.stop() }] : [];
      if (!amqp) return revocations;
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
      const handle = createStockHandler({ stock: createStockRepository(db) });
      const consumer = startEventConsumer({
        connection: amqp,
        topology,
        // In the event's scope: its log lines and the events it causes carry the order's correlation id.
        handle,
        // Paused, not retried, while the database is away.
        probe: pingDatabase(db),
        logger,
        settings: config.events.consumer,
        metrics,
      });
      return [
        ...revocations,
        { name: 'stock consumer', stop: () => consumer.stop() },
        { name: 'outbox relay', stop: () => relay.stop() },
      ];
    },
  };
}
