import { createTokenVerifier } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import { createTestIssuer, freshDatabase, graphqlRequest, type TestDatabase, type TestIssuer } from '@little-ecom/testing';
import { createProductsApp, type ProductsApp } from '../src/app.js';
import { loadProductsConfig } from '../src/config.js';

export interface ProductsHarness {
  url: string;
  db: TestDatabase;
  issuer: TestIssuer;
  /** The app under test: tests reach its repositories and services through it, never build their own. */
  app: ProductsApp;
  http: RunningService;
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
  const issuer = await createTestIssuer();
  const verifier = createTokenVerifier(issuer.verifierOptions);
  const app = await createProductsApp(loadProductsConfig({ NODE_ENV: 'test' }), {
    db: db.db,
    logger: silentLogger,
    verifier,
    // Tested alone, called directly: no gateway signature to check.
    gatewayKey: null,
  });
  const http = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
  const url = `${http.url}/graphql`;
  const adminToken = await issuer.sign({ sub: 'admin-1', role: 'ADMIN' });
  const customerToken = await issuer.sign({ sub: 'customer-1', role: 'CUSTOMER' });
  return {
    url,
    db,
    issuer,
    app,
    http,
    adminToken,
    customerToken,
    request: (query, variables, headers) =>
      graphqlRequest(url, query, variables, headers ?? { authorization: `Bearer ${adminToken}` }),
    async close() {
      await http.stop(2_000);
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
