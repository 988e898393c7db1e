import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

/** Commands the products subgraph sent to MongoDB while `run` ran (command monitoring on its client). */
async function commandsDuring(stack: Stack, run: () => Promise<unknown>): Promise<string[]> {
  const before = stack.productsCommands.length;
  await run();
  return stack.productsCommands.slice(before).map((c) => c.commandName);
}

describe('catalog queries: database round trips per request', () => {
  // FerretDB v1 has no $facet, so a page and its count cannot share one command; what can be saved is
  // the part the client did not select. Entity lookups stay one find per batch (pipeline.test.ts).
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const admin = await stack.issuer!.sign({ sub: 'round-trips', role: 'ADMIN' });
    for (let i = 0; i < 30; i++) {
      const res = await graphqlRequest(
        stack.gatewayUrl,
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        { input: { name: `Trip ${i}`, price: { amount: 100 + i, currency: 'EUR' }, stock: i % 2, category: 'trips' } },
        { authorization: `Bearer ${admin}` },
      );
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(async () => stack?.close());

  const page =
    (fields: string, args = 'first: 20') =>
    () =>
      graphqlRequest(stack.gatewayUrl, `{ products(${args}) { ${fields} } }`).then((res) => {
        expect(res.errors).toBeUndefined();
        return res;
      });

  // Before this was measured, every shape cost a find and a count (2 commands).
  it('a page with totalCount: one find and one count, in parallel', async () => {
    const commands = await commandsDuring(stack, page('totalCount edges { node { id name } } pageInfo { hasNextPage }'));
    expect(commands.sort()).toEqual(['aggregate', 'find']);
  });

  it('a page without totalCount: one find, no count', async () => {
    const commands = await commandsDuring(stack, page('edges { node { id name } } pageInfo { hasNextPage endCursor }'));
    expect(commands).toEqual(['find']);
  });

  it('only totalCount: one count, no find', async () => {
    const commands = await commandsDuring(stack, page('totalCount'));
    expect(commands).toEqual(['aggregate']);
  });
});
