import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
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

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  db: Db;
  verifier: TokenVerifier;
  payment: PaymentProvider;
}

/** The GraphQL side of the orders subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ db, verifier, payment, ...options }: ServerDeps) {
  const catalog = createCatalogRepository(db);
  const carts = createCartService({ carts: createCartRepository(db), catalog });
  const orders = createOrderService({ orders: createOrderRepository(db), carts, payment });
  const apollo = subgraphApollo<OrdersContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Cart, CartItem, Order, OrderItem } }),
    options,
  );
  const context = (info: IncomingRequestInfo) => createContext({ carts, orders, verifier, logger: options.logger }, info);
  return { apollo, context, services: { carts, orders, catalog } };
}
