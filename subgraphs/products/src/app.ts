import type { Db } from 'mongodb';
import type { AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier, type TokenVerifier } from '@little-ecom/auth';
import { startOutboxRelay } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import type { ServiceApp, Worker } from '@little-ecom/service';
import { PRODUCTS, productIndexes, productRemovedWhenDrained } from './catalog/product.repository.js';
import type { ProductsConfig } from './config.js';
import type { ProductsContext } from './context.js';
import { createServer } from './server.js';

export interface ProductsAppDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay publishes through it; without one, events wait in their documents (API-only tests). */
  amqp?: AmqpConnection;
  /** Checks access tokens; by default against the accounts JWKS named in the config. */
  verifier?: TokenVerifier;
}

export interface ProductsApp extends ServiceApp<ProductsContext> {
  services: ReturnType<typeof createServer>['services'];
}

/** The whole products subgraph, from its config and connections: what main, tests and benches run. */
export async function createProductsApp(config: ProductsConfig, deps: ProductsAppDeps): Promise<ProductsApp> {
  const { db, logger, amqp } = deps;
  await ensureIndexes(db, { [PRODUCTS]: productIndexes });
  const server = createServer({
    db,
    verifier: deps.verifier ?? createTokenVerifier(config.jwt),
    logger,
    production: config.production,
  });
  return {
    name: config.service,
    services: server.services,
    http: {
      apollo: server.apollo,
      context: server.context,
      trustProxy: true,
      readiness: [{ name: 'mongodb', check: async () => void (await db.command({ ping: 1 })) }],
    },
    start(): Worker[] {
      if (!amqp) return [];
      // Events wait in product documents while the broker is away; the relay publishes them when it is back.
      const relay = startOutboxRelay({
        db,
        collections: [PRODUCTS],
        connection: amqp,
        logger,
        exchange: config.amqp.exchange,
        ...config.outbox,
        removeWhenDrained: { [PRODUCTS]: productRemovedWhenDrained },
      });
      return [{ name: 'outbox relay', stop: () => relay.stop() }];
    },
  };
}
