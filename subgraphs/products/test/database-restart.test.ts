import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '@little-ecom/auth';
import { silentLogger } from '@little-ecom/logger';
import { connectMongo, type MongoConnection } from '@little-ecom/mongo';
import { serveApp, type RunningService } from '@little-ecom/service';
import { createTestIssuer, eventually, graphqlRequest, privateFerretDb, type TestIssuer } from '@little-ecom/testing';
import { createProductsApp } from '../src/app.js';
import { loadProductsConfig } from '../src/config.js';
import { CREATE_PRODUCT } from './support.js';

/**
 * The products subgraph against a database of its own that the test stops and starts: while it is
 * down requests get a coded error (and readiness says so), afterwards everything works again on the
 * same connection pool and nothing written before is lost.
 */
describe('products through a database restart', () => {
  let ferret: Awaited<ReturnType<typeof privateFerretDb>>;
  let mongo: MongoConnection;
  let issuer: TestIssuer;
  let http: RunningService;
  let url: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ferret = await privateFerretDb();
    await ferret.start();
    // Short selection timeout so requests during the outage fail fast instead of waiting 10 s.
    mongo = await connectMongo({
      uri: ferret.uri,
      dbName: 'products',
      logger: silentLogger,
      clientOptions: { serverSelectionTimeoutMS: 1_000 },
    });
    issuer = await createTestIssuer();
    const verifier = createTokenVerifier(issuer.verifierOptions);
    // Production error handling (no driver messages to clients) without production's secrets.
    const config = { ...loadProductsConfig({ NODE_ENV: 'test' }), production: true };
    const app = await createProductsApp(config, { db: mongo.db, logger: silentLogger, verifier, gatewayKey: null });
    http = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
    url = `${http.url}/graphql`;
    admin = { authorization: `Bearer ${await issuer.sign({ sub: 'admin-1', role: 'ADMIN' })}` };
  });

  afterAll(async () => {
    await http?.stop(2_000);
    await mongo?.close();
    await issuer?.close();
    await ferret?.dispose();
  });

  it('answers with a coded error while the database is down and recovers when it is back', async () => {
    const input = { name: 'Survivor Lamp', price: { amount: 1000, currency: 'EUR' }, stock: 2, category: 'lighting' };
    const created = await graphqlRequest(url, CREATE_PRODUCT, { input }, admin);
    expect(created.errors).toBeUndefined();

    await ferret.stop();
    const during = await graphqlRequest(url, `{ products(first: 5) { totalCount } }`);
    expect(during.status).toBe(200);
    expect(during.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(during.errors)).not.toMatch(/ECONNREFUSED|MongoServerSelectionError|127\.0\.0\.1/);
    expect((await fetch(`${http.url}/readyz`)).status).toBe(503);

    await ferret.start();
    const after = await eventually(async () => {
      const res = await graphqlRequest<{ products: { totalCount: number; edges: { node: { name: string } }[] } }>(
        url,
        `{ products(first: 5) { totalCount edges { node { name } } } }`,
      );
      return res.errors ? undefined : res;
    }, 20_000);
    expect(after.data!.products.edges.map((e) => e.node.name)).toEqual(['Survivor Lamp']);
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
    const again = await graphqlRequest(url, CREATE_PRODUCT, { input: { ...input, name: 'Second Lamp' } }, admin);
    expect(again.errors).toBeUndefined();
  });
});
