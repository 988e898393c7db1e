import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { MinorUnits } from '@little-ecom/errors';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
import type { AddressBookService } from './addresses/address-book.service.js';
import type { CartService } from './cart/cart.service.js';
import { createContext, type OrdersContext } from './context.js';
import type { OrderService } from './orders/order.service.js';
import type { Pricing } from './pricing/pricing.js';
import { Cart, CartItem, MergeProblemLine, ShippingMethod } from './resolvers/Cart.js';
import { Mutation } from './resolvers/Mutation.js';
import { Order, OrderItem } from './resolvers/Order.js';
import { Query } from './resolvers/Query.js';
import { User } from './resolvers/User.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  /** Built by `createServices` (services.ts); the server builds none of its own. */
  addresses: AddressBookService;
  pricing: Pricing;
  carts: CartService;
  orders: OrderService;
  verifier: TokenVerifier;
}

/** The GraphQL side of the orders subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ addresses, pricing, carts, orders, verifier, ...options }: ServerDeps) {
  const apollo = subgraphApollo<OrdersContext>(
    buildSubgraphSchema({
      typeDefs,
      resolvers: { MinorUnits, Query, Mutation, User, Cart, CartItem, MergeProblemLine, ShippingMethod, Order, OrderItem },
    }),
    options,
  );
  const context = (info: IncomingRequestInfo) =>
    createContext({ addresses, pricing, carts, orders, verifier, logger: options.logger }, info);
  return { apollo, context };
}
