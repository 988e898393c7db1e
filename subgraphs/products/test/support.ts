import { createTokenVerifier } from '@little-ecom/auth';
import { startHttpServer, type RunningHttpServer } from '@little-ecom/http';
import { silentLogger } from '@little-ecom/logger';
import { ensureIndexes } from '@little-ecom/mongo';
import { createTestIssuer, freshDatabase, graphqlRequest, type TestDatabase, type TestIssuer } from '@little-ecom/testing';
import { PRODUCTS, productIndexes } from '../src/catalog/product.repository.js';
import { createServer } from '../src/server.js';

export interface ProductsHarness {
  url: string;
  db: TestDatabase;
  issuer: TestIssuer;
  http: RunningHttpServer;
  adminToken: string;
  customerToken: string;
  /** A GraphQL request to the products subgraph, as the admin unless headers say otherwise. */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): ReturnType<typeof graphqlRequest<T>>;
  close(): Promise<void>;
}

/** The products subgraph on a loopback port, with a fresh database and a test token issuer. */
export async function startProducts(): Promise<ProductsHarness> {
  const db = await freshDatabase('products');
  await ensureIndexes(db.db, { [PRODUCTS]: productIndexes });
  const issuer = await createTestIssuer();
  const verifier = createTokenVerifier(issuer.verifierOptions);
  const { apollo, context } = createServer({ db: db.db, verifier, logger: silentLogger, production: false });
  const http = await startHttpServer({ apollo, context, logger: silentLogger }, { host: '127.0.0.1', port: 0 });
  const url = `${http.url}/graphql`;
  const adminToken = await issuer.sign({ sub: 'admin-1', role: 'ADMIN' });
  const customerToken = await issuer.sign({ sub: 'customer-1', role: 'CUSTOMER' });
  return {
    url,
    db,
    issuer,
    http,
    adminToken,
    customerToken,
    request: (query, variables, headers) =>
      graphqlRequest(url, query, variables, headers ?? { authorization: `Bearer ${adminToken}` }),
    async close() {
      await http.drain(1_000);
      await db.drop();
      await issuer.close();
    },
  };
}

export const CREATE_PRODUCT = `mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) { id slug name description price { amount currency } stock inStock category imageUrls createdAt updatedAt }
}`;

export interface ProductFields {
  id: string;
  slug: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
  stock: number;
  inStock: boolean;
  category: string;
  imageUrls: string[];
  createdAt: string;
  updatedAt: string;
}
