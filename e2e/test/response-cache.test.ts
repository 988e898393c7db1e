import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { graphqlRequest } from '@little-ecom/testing';
import { createMemoryStore, createRedisStore } from '@little-ecom/gateway';
import { startStack, type Stack } from './harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PAGE = '{ products(first: 5, sort: PRICE_ASC) { totalCount edges { node { id name price { amount currency } } } } }';
const PAGE_WITH_STOCK = '{ products(first: 5, sort: PRICE_ASC) { edges { node { id stock } } } }';

async function seed(stack: Stack, count: number): Promise<string> {
  const admin = await stack.issuer!.sign({ sub: 'cache-admin', role: 'ADMIN' });
  for (let i = 0; i < count; i++) {
    const res = await graphqlRequest(
      stack.gatewayUrl,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { name: `Cached ${i}`, price: { amount: 500 + i, currency: 'EUR' }, stock: 2, category: 'cache' } },
      { authorization: `Bearer ${admin}` },
    );
    expect(res.errors).toBeUndefined();
  }
  return admin;
}

describe('Cache-Control from the subgraphs’ cache hints', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack();
    token = await seed(stack, 3);
  });
  afterAll(async () => stack?.close());

  it('marks an anonymous catalog page public for the shortest hint in it', async () => {
    const page = await graphqlRequest(stack.gatewayUrl, PAGE);
    expect(page.errors).toBeUndefined();
    expect(page.headers.get('cache-control')).toBe('max-age=30, public');
    // stock is hinted 10 s, so the whole response lives 10 s.
    const stock = await graphqlRequest(stack.gatewayUrl, PAGE_WITH_STOCK);
    expect(stock.headers.get('cache-control')).toBe('max-age=10, public');
  });

  it('never says public when a token was sent', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, PAGE, undefined, { authorization: `Bearer ${token}` });
    expect(res.errors).toBeUndefined();
    expect(res.headers.get('cache-control')).toBe('max-age=30, private');
  });

  it('answers no-store for mutations, errors and fields without hints', async () => {
    const mutation = await graphqlRequest(
      stack.gatewayUrl,
      'mutation($id: ID!) { deleteProduct(id: $id) }',
      { id: '000000000000000000000000' },
      { authorization: `Bearer ${token}` },
    );
    expect(mutation.headers.get('cache-control')).toBe('no-store');
    const error = await graphqlRequest(stack.gatewayUrl, '{ products(first: 1000) { totalCount } }');
    expect(error.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(error.headers.get('cache-control')).toBe('no-store');
    const typename = await graphqlRequest(stack.gatewayUrl, '{ __typename }');
    expect(typename.headers.get('cache-control')).toBe('no-store');
  });
});

describe('shared response cache in memory', () => {
  let stack: Stack;
  let token: string;
  const store = createMemoryStore(100);
  beforeAll(async () => {
    stack = await startStack({ gateway: { responseStore: store } });
    token = await seed(stack, 3);
  });
  afterAll(async () => {
    await stack?.close();
    await store.close();
  });

  it('serves a repeated anonymous query from the cache, with its age and remaining lifetime', async () => {
    const first = await graphqlRequest(stack.gatewayUrl, PAGE);
    expect(first.headers.get('x-cache')).toBe('miss');
    const commands = stack.productsCommands.length;
    const second = await graphqlRequest(stack.gatewayUrl, PAGE);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(second.headers.get('cache-control')).toMatch(/^max-age=([12]?[0-9]|30), public$/);
    expect(stack.productsCommands.length).toBe(commands);
  });

  it('never serves a token holder from the shared cache, nor stores what a token holder got', async () => {
    await graphqlRequest(stack.gatewayUrl, PAGE); // anonymous entry exists
    const stores = stack.gatewayStats.responseCache().stores;
    const withToken = await graphqlRequest(stack.gatewayUrl, PAGE, undefined, { authorization: `Bearer ${token}` });
    expect(withToken.errors).toBeUndefined();
    expect(withToken.headers.get('x-cache')).toBeNull();
    expect(withToken.headers.get('cache-control')).toBe('max-age=30, private');
    // A different document (so no anonymous entry) asked with a token first: an anonymous caller
    // afterwards must compute its own answer, proving the token holder's response was not stored.
    const fresh = '{ products(first: 2, sort: NAME_ASC) { edges { node { id name } } } }';
    await graphqlRequest(stack.gatewayUrl, fresh, undefined, { authorization: `Bearer ${token}` });
    expect(stack.gatewayStats.responseCache().stores).toBe(stores);
    const anonymous = await graphqlRequest(stack.gatewayUrl, fresh);
    expect(anonymous.headers.get('x-cache')).toBe('miss');
  });

  it('keys on variables: different pages are different entries', async () => {
    const query = 'query Page($first: Int!) { products(first: $first, sort: PRICE_ASC) { edges { node { name } } } }';
    const one = await graphqlRequest<{ products: { edges: unknown[] } }>(stack.gatewayUrl, query, { first: 1 });
    const two = await graphqlRequest<{ products: { edges: unknown[] } }>(stack.gatewayUrl, query, { first: 2 });
    expect(one.data!.products.edges).toHaveLength(1);
    expect(two.data!.products.edges).toHaveLength(2);
    expect(two.headers.get('x-cache')).toBe('miss');
  });
});

describe('shared response cache in the real Redis', () => {
  let stack: Stack;
  const prefix = `little-ecom-test:${randomUUID()}:`;
  const admin = new Redis(REDIS_URL);
  let store: ReturnType<typeof createRedisStore>;

  beforeAll(async () => {
    store = createRedisStore({
      url: REDIS_URL,
      keyPrefix: prefix,
      commandTimeoutMs: 1_000,
      logger: createLogger({ service: 'gateway-test', level: 'error' }),
    });
    stack = await startStack({ gateway: { responseStore: store } });
    await seed(stack, 2);
  });
  afterAll(async () => {
    await stack?.close();
    await store?.close();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('stores public responses with their max-age as TTL and serves them back', async () => {
    const first = await graphqlRequest(stack.gatewayUrl, PAGE_WITH_STOCK);
    expect(first.headers.get('x-cache')).toBe('miss');
    const keys = await admin.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    const ttl = await admin.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
    const second = await graphqlRequest(stack.gatewayUrl, PAGE_WITH_STOCK);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
  });
});
