import type { CommandStartedEvent } from 'mongodb';
import { createTokenVerifier, generateGatewayKeyPair } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import {
  createTestIssuer,
  freshDatabase,
  signedAsGateway,
  graphqlRequest,
  type TestDatabase,
  type TestIssuer,
} from '@little-ecom/testing';
import { createOrdersApp, type OrdersApp } from '../src/app.js';
import { loadOrdersConfig } from '../src/config.js';

export interface OrdersHarness {
  url: string;
  db: TestDatabase;
  app: OrdersApp;
  issuer: TestIssuer;
  http: RunningService;
  /** Every command sent to MongoDB, in order (to count the queries a request costs). */
  commands: CommandStartedEvent[];
  tokenFor(userId: string, role?: 'CUSTOMER' | 'ADMIN'): Promise<string>;
  /** A GraphQL request to the orders subgraph, signed as the gateway signs it, with the given token (none: anonymous). */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): ReturnType<typeof graphqlRequest<T>>;
  close(): Promise<void>;
}

/** The orders subgraph on a loopback port, with a fresh database and a test token issuer; no broker. `env` adds settings. */
export async function startOrders(env: Record<string, string> = {}): Promise<OrdersHarness> {
  const db = await freshDatabase('orders', { monitorCommands: true });
  const commands: CommandStartedEvent[] = [];
  db.client.on('commandStarted', (event) => commands.push(event));
  const issuer = await createTestIssuer();
  const verifier = createTokenVerifier(issuer.verifierOptions);
  // As deployed: GraphQL only from the gateway; `request` signs like it.
  const gatewayKeys = generateGatewayKeyPair();
  const app = await createOrdersApp(loadOrdersConfig({ NODE_ENV: 'test', ...env }), {
    db: db.db,
    logger: silentLogger,
    verifier,
    gatewayKey: gatewayKeys.publicKey,
  });
  const http = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
  const url = `${http.url}/graphql`;
  return {
    url,
    db,
    app,
    issuer,
    http,
    commands,
    tokenFor: (userId, role = 'CUSTOMER') => issuer.sign({ sub: userId, role }),
    request: (query, variables, token) =>
      graphqlRequest(
        url,
        query,
        variables,
        signedAsGateway(gatewayKeys.signingKey, 'orders', '198.51.100.1', token ? `Bearer ${token}` : undefined),
      ),
    async close() {
      await http.stop(2_000);
      await db.drop();
      await issuer.close();
    },
  };
}
