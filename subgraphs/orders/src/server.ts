import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { TokenVerifier } from '@little-ecom/auth';
import { apolloDefaults, type IncomingRequestInfo } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { Db } from 'mongodb';
import { createCartRepository } from './cart/cart.repository.js';
import { createCartService } from './cart/cart.service.js';
import { createCatalogRepository } from './catalog/catalog.repository.js';
import { createContext, type OrdersContext } from './context.js';
import { createOrderRepository } from './orders/order.repository.js';
import { createOrderService } from './orders/order.service.js';
import type { PaymentProvider } from './orders/payment.js';
import { Cart, CartItem } from './resolvers/Cart.js';
import { Mutation } from './resolvers/Mutation.js';
import { Order, OrderItem } from './resolvers/Order.js';
import { Query } from './resolvers/Query.js';
import { User } from './resolvers/User.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface ServerDeps {
  db: Db;
  verifier: TokenVerifier;
  logger: Logger;
  production: boolean;
  payment: PaymentProvider;
}

/** The GraphQL side of the orders subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ db, verifier, logger, production, payment }: ServerDeps) {
  const catalog = createCatalogRepository(db);
  const carts = createCartService({ carts: createCartRepository(db), catalog });
  const orders = createOrderService({ orders: createOrderRepository(db), carts, payment });
  const apollo = new ApolloServer<OrdersContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Cart, CartItem, Order, OrderItem } }),
    ...apolloDefaults<OrdersContext>({ production, logger }),
  });
  const context = (info: IncomingRequestInfo) => createContext({ carts, orders, verifier, logger }, info);
  return { apollo, context, services: { carts, orders, catalog } };
}
