import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphqlRequest } from '@little-ecom/testing';
import { CatalogPageDocument, CreateProductDocument } from './__generated__/operations.js';
import { startStack, type Stack } from './harness.js';

const CREATE = CreateProductDocument;

async function seedProducts(stack: Stack, count: number): Promise<string[]> {
  const token = await stack.issuer!.sign({ sub: 'admin-1', role: 'ADMIN' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await graphqlRequest(
      stack.gatewayUrl,
      CreateProductDocument,
      { input: { name: `Gateway product ${i}`, price: { amount: 100 + i, currency: 'EUR' }, stock: i % 3, category: 'gateway' } },
      { authorization: `Bearer ${token}` },
    );
    expect(res.errors).toBeUndefined();
    ids.push(res.data!.createProduct.id);
  }
  return ids;
}

describe('gateway in development mode', () => {
  let stack: Stack;
  let ids: string[];

  beforeAll(async () => {
    stack = await startStack();
    ids = await seedProducts(stack, 50);
  });
  afterAll(async () => stack?.close());

  it('serves the catalog through the supergraph', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, CatalogPageDocument, { first: 5, sort: 'PRICE_ASC' });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data!.products.totalCount).toBe(50);
    expect(res.data!.products.edges.map((e) => e.node.name)).toEqual([0, 1, 2, 3, 4].map((i) => `Gateway product ${i}`));
  });

  it('resolves 50 product references with one database query', async () => {
    const representations = ids.map((id) => ({ __typename: 'Product', id }));
    const before = stack.productsCommands.length;
    // The gateway does not expose _entities itself; this is the request it sends to products when
    // another subgraph references products, sent to the products subgraph the same way.
    const res = await graphqlRequest<{ _entities: { id: string; name: string }[] }>(
      `${stack.subgraphs['products']!.url}/graphql`,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id name } } }`,
      { representations },
      stack.asGateway('products'),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((p) => p.id)).toEqual(ids);
    const queries = stack.productsCommands.slice(before).filter((c) => c.commandName === 'find');
    expect(queries).toHaveLength(1);
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${stack.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { supergraph: 'ok', subgraphs: 'ok' } });
  });

  it('forwards the request id and the caller token to subgraphs', async () => {
    const requestId = `test-${Date.now()}`;
    const token = await stack.issuer!.sign({ sub: 'customer-7', role: 'CUSTOMER' });
    const res = await graphqlRequest(stack.gatewayUrl, `query ForwardCheck { products(first: 1) { totalCount } }`, undefined, {
      'x-request-id': requestId,
      authorization: `Bearer ${token}`,
    });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const record = await eventually(async () =>
      stack.logs['products']!.find((r) => r['requestId'] === requestId && r['msg'] === 'graphql request'),
    );
    expect(record['userId']).toBe('customer-7');
    // What the request cost products' database, on every request's line (the Kibana panel's fields).
    expect(record['dbCommands']).toBeGreaterThanOrEqual(1);
    expect(record['dbTimeMs']).toBeGreaterThan(0);
    const gatewayRecord = stack.logs['gateway']!.find((r) => r['requestId'] === requestId);
    expect(gatewayRecord).toMatchObject({ operation: 'ForwardCheck', operationType: 'query' });
  });

  it('tags the log lines a service method writes with the request id, without passing it by hand', async () => {
    const requestId = `scope-${Date.now()}`;
    const token = await stack.issuer!.sign({ sub: 'admin-scope', role: 'ADMIN' });
    const input = { name: 'Scoped Lamp', price: { amount: 4200, currency: 'EUR' }, stock: 1, category: 'gateway' };
    const res = await graphqlRequest(
      stack.gatewayUrl,
      CREATE,
      { input },
      { 'x-request-id': requestId, authorization: `Bearer ${token}` },
    );
    expect(res.errors).toBeUndefined();
    // Written by the products service inside createProduct, two hops from the client.
    const record = await eventually(async () =>
      stack.logs['products']!.find((r) => r['msg'] === 'product created' && r['productId'] === res.data!.createProduct.id),
    );
    expect(record).toMatchObject({ requestId, userId: 'admin-scope' });
  });

  it('generates a request id when the client sends none', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, `{ products(first: 1) { totalCount } }`);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes subgraph error codes through: no token, customer token, bad input', async () => {
    const input = { name: 'Nope', price: { amount: 1, currency: 'EUR' }, stock: 1, category: 'gateway' };
    const anonymous = await graphqlRequest(stack.gatewayUrl, CREATE, { input });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const customer = await stack.issuer!.sign({ sub: 'c', role: 'CUSTOMER' });
    const forbidden = await graphqlRequest(stack.gatewayUrl, CREATE, { input }, { authorization: `Bearer ${customer}` });
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const expired = await stack.issuer!.sign({ sub: 'a', role: 'ADMIN' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const rejected = await graphqlRequest(stack.gatewayUrl, CREATE, { input }, { authorization: `Bearer ${expired}` });
    expect(rejected.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('serves Apollo Sandbox on the landing page', async () => {
    const res = await fetch(`${stack.gateway.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('sandbox');
  });

  it('refuses GET queries without a CSRF preflight header', async () => {
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ products(first: 1) { totalCount } }')}`);
    expect(res.status).toBe(400);
  });

  it('answers malformed requests with a code, not a 500', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const syntax = await graphqlRequest(stack.gatewayUrl, '{ products(first: 1) { totalCount ');
    expect(syntax.status).toBe(400);
    expect(syntax.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(syntax.errors?.[0]?.message).toMatch(/syntax error/i);
  });
});

describe('gateway supergraph reloading', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Start with a supergraph that lacks Query.product, as if composed from an older schema.
    stack = await startStack({
      editSdl: (s) =>
        s.sdl.replace(/^\s*"A product by id or slug[^\n]*\n\s*product\(id: ID, slug: String\): Product[^\n]*\n/m, ''),
    });
  });
  afterAll(async () => stack?.close());

  it('picks up a new supergraph file without a restart', async () => {
    const query = `{ product(slug: "nothing-here") { id } }`;
    const before = await graphqlRequest(stack.gatewayUrl, query);
    expect(before.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    writeFileSync(stack.supergraphPath, stack.compose());
    const after = await eventually(async () => {
      const res = await graphqlRequest<{ product: null }>(stack.gatewayUrl, query);
      return res.errors ? undefined : res;
    });
    expect(after.data).toEqual({ product: null });
  });

  it('keeps serving the previous supergraph when the new file is invalid', async () => {
    writeFileSync(stack.supergraphPath, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const res = await graphqlRequest(stack.gatewayUrl, `{ products(first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
  });
});

describe('gateway in production mode', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ production: true, limits: { maxDepth: 4, maxAliases: 3 }, corsOrigins: ['https://shop.example'] });
  });
  afterAll(async () => stack?.close());

  it('refuses introspection', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, `{ __schema { types { name } } }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('refuses an over-deep query with a clear error', async () => {
    const res = await graphqlRequest(
      stack.gatewayUrl,
      `{ products { edges { node { price { amount } } } pageInfo { endCursor } } }`,
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('refuses too many aliases', async () => {
    const res = await graphqlRequest(
      stack.gatewayUrl,
      `{ a: products { totalCount } b: products { totalCount } c: products { totalCount } d: products { totalCount } }`,
    );
    expect(res.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('gives no field suggestions', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, `{ produts { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('serves no landing page', async () => {
    const res = await fetch(`${stack.gateway.url}/`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toContain('sandbox');
  });

  it('allows only listed CORS origins', async () => {
    const preflight = (origin: string) =>
      fetch(stack.gatewayUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://shop.example')).headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses documents with too many tokens', async () => {
    const huge = `{ ${Array.from({ length: 1_500 }, () => 'products { totalCount }').join(' ')} }`;
    const res = await graphqlRequest(stack.gatewayUrl, huge);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/more th[ae][nt] 2000 tokens/i);
  });

  it('still answers normal queries', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, `{ products(first: 2) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ products: { totalCount: 0 } });
  });
});

describe('gateway with a subgraph down', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.subgraphs['products']!.stop(2_000);
  });
  afterAll(async () => stack?.close());

  it('stays ready and shows the subgraph as degraded in the readiness detail', async () => {
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['subgraphs']).toMatch(/^degraded: /);
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
  });

  it('answers queries with a coded error, not a 500 or a connection message', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, `{ products(first: 1) { totalCount } }`);
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(res.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });
});
