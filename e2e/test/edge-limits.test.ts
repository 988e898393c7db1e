import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGatewayKeyPair } from '@little-ecom/auth';
import { graphqlRequest } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];

/** The same page of products under `aliases` aliases, its size from `$n` (with `defaultN` as the variable's default). */
const aliasedPages = (aliases: number, defaultN?: number) =>
  `query Pages($n: Int${defaultN === undefined ? '' : ` = ${defaultN}`}) { ${Array.from(
    { length: aliases },
    (_, i) => `p${i}: products(first: $n) { edges { node { id name price { amount currency } } } }`,
  ).join(' ')} }`;

describe('the edge holds its limits however a request is written (production)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ production: true });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('counts list sizes given by variables and by variable defaults in the cost, at the gateway', async () => {
    // Control: small pages under 15 aliases stay well inside the limit.
    expect((await graphqlRequest(stack.gatewayUrl, aliasedPages(15), { n: 1 })).errors).toBeUndefined();
    // ~1,500 product nodes: refused whether the size comes as a variable or as its default.
    for (const [name, query, variables] of [
      ['variable', aliasedPages(15), { n: 100 }],
      ['default', aliasedPages(15, 100), {}],
    ] as const) {
      const res = await graphqlRequest(stack.gatewayUrl, query, variables);
      expect(res.status, name).toBe(400);
      expect(codeOf(res), name).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0]?.message, name).toMatch(/cost limit of 5000 exceeded/i);
      expect(res.data, name).toBeUndefined();
    }
  });

  it('counts them at a subgraph too', async () => {
    const products = `${stack.subgraphs['products']!.url}/graphql`;
    expect((await graphqlRequest(products, aliasedPages(15), { n: 1 }, stack.asGateway('products'))).errors).toBeUndefined();
    const res = await graphqlRequest(products, aliasedPages(15), { n: 100 }, stack.asGateway('products'));
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers oversized or malformed credentials with UNAUTHENTICATED at the edge, never a 5xx', async () => {
    const query = '{ products(first: 1) { totalCount } }';
    // ~16.1 KB: still inside Node's 16 KiB header limit at the gateway, over it once the gateway adds its own.
    for (const authorization of [`Bearer ${'x'.repeat(16_100)}`, 'Basic Zm9vOmJhcg==', 'Bearer a b', 'Bearer']) {
      const res = await graphqlRequest(stack.gatewayUrl, query, {}, { authorization });
      const name = authorization.slice(0, 20);
      expect(res.status, name).toBe(401);
      expect(res.headers.get('www-authenticate'), name).toMatch(/^Bearer /);
      expect(codeOf(res), name).toBe('UNAUTHENTICATED');
      expect(res.data, name).toBeUndefined();
    }
    // Headers past Node's own limit never reach GraphQL: 431.
    const huge = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${'x'.repeat(17_000)}` },
      body: JSON.stringify({ query }),
    });
    expect(huge.status).toBe(431);
    // A well-formed token is the subgraphs' to verify: one that fails is UNAUTHENTICATED from them.
    const bad = await graphqlRequest(stack.gatewayUrl, query, {}, { authorization: 'Bearer not.a.jwt' });
    expect(bad.status).toBe(200);
    expect(codeOf(bad)).toBe('UNAUTHENTICATED');
  });
});

describe('a subgraph refusing the gateway (production)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The gateway signs with a key the subgraphs do not hold: a rotation gone wrong, so products answers 403.
    stack = await startStack({ production: true, gateway: { signingKey: generateGatewayKeyPair().signingKey } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('keeps the subgraph URL and name out of the response, and in the logs', async () => {
    const res = await graphqlRequest(stack.gatewayUrl, '{ products(first: 1) { totalCount } }');
    expect(res.status).toBeLessThan(500);
    expect(res.errors?.length).toBeGreaterThan(0);
    const body = JSON.stringify(res.errors);
    const subgraphUrl = stack.subgraphs['products']!.url;
    expect(body).not.toContain(subgraphUrl);
    expect(body).not.toContain('127.0.0.1');
    for (const error of res.errors ?? []) {
      expect(error.extensions ?? {}).not.toHaveProperty('response');
      expect(error.extensions ?? {}).not.toHaveProperty('serviceName');
    }
    // Operators still see where the refusing subgraph was called.
    expect(JSON.stringify(stack.logs['gateway'])).toContain(subgraphUrl);
  });
});
