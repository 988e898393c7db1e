import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { TokenVerifier } from '@little-ecom/auth';
import { apolloDefaults } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { Db } from 'mongodb';
import { createProductRepository } from './catalog/product.repository.js';
import { createProductService } from './catalog/product.service.js';
import { createContext, type ProductsContext } from './context.js';
import type { IncomingRequestInfo } from '@little-ecom/http';
import { Mutation } from './resolvers/Mutation.js';
import { Product } from './resolvers/Product.js';
import { Query } from './resolvers/Query.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface ServerDeps {
  db: Db;
  verifier: TokenVerifier;
  logger: Logger;
  production: boolean;
}

/** The GraphQL side of the products subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ db, verifier, logger, production }: ServerDeps) {
  const products = createProductService({ repository: createProductRepository(db) });
  const apollo = new ApolloServer<ProductsContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, Product } }),
    ...apolloDefaults<ProductsContext>({ production, logger }),
  });
  const context = (info: IncomingRequestInfo) => createContext({ products, verifier, logger }, info);
  return { apollo, context, services: { products } };
}
