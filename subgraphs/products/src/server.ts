import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { MinorUnits } from '@little-ecom/errors';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
import type { ProductService } from './catalog/product.service.js';
import { createContext, type ProductsContext } from './context.js';
import { Mutation } from './resolvers/Mutation.js';
import { Product } from './resolvers/Product.js';
import { ProductConnection } from './resolvers/ProductConnection.js';
import { Query } from './resolvers/Query.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  /** Built by `createServices` (services.ts); the server builds none of its own. */
  products: ProductService;
  verifier: TokenVerifier;
}

/** The GraphQL side of the products subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ products, verifier, ...options }: ServerDeps) {
  const apollo = subgraphApollo<ProductsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { MinorUnits, Query, Mutation, Product, ProductConnection } }),
    options,
  );
  const context = (info: IncomingRequestInfo) => createContext({ products, verifier, logger: options.logger }, info);
  return { apollo, context };
}
