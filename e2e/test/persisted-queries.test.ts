import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest } from '@little-ecom/testing';
import { join } from 'node:path';
import { readManifest, sha256 } from '@little-ecom/gateway';
import { repoRoot, startStack, type Stack } from './harness.js';

const MANIFEST_PATH = join(repoRoot, 'gateway', 'trusted-documents.json');

const QUERY = '{ products(first: 3) { totalCount edges { node { id name } } } }';
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

/** A GET as a CDN would see it; the header satisfies Apollo's CSRF check (clients send it). */
async function get(url: string, params: Record<string, unknown>) {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const res = await fetch(`${url}?${search.toString()}`, { headers: { 'apollo-require-preflight': 'true' } });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
  };
}

async function post(url: string, body: Record<string, unknown>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe('automatic persisted queries', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('asks for the text of an unknown hash with its own code, then serves the hash by GET, cacheably', async () => {
    const hash = sha256(QUERY);
    const unknown = await get(stack.gatewayUrl, { extensions: persisted(hash) });
    expect(unknown.status).toBe(200);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await post(stack.gatewayUrl, { query: QUERY, extensions: persisted(hash) });
    expect(registered.body.errors).toBeUndefined();

    const byHash = await get(stack.gatewayUrl, { extensions: persisted(hash) });
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(registered.body);
    expect(byHash.headers.get('cache-control')).toBe('max-age=30, public');
  });

  it('refuses a hash that does not match the text, and mutations over GET, with 4xx codes', async () => {
    const mismatch = await post(stack.gatewayUrl, { query: QUERY, extensions: persisted(sha256('{ __typename }')) });
    expect(mismatch.status).toBe(400);
    const mutation = 'mutation { deleteProduct(id: "000000000000000000000000") }';
    const viaGet = await get(stack.gatewayUrl, { query: mutation });
    expect(viaGet.status).toBe(405);
  });
});

describe('trusted documents', () => {
  let stack: Stack;
  const registered = [...readManifest(MANIFEST_PATH)].find(([, body]) => body.startsWith('query CatalogPage'))!;

  beforeAll(async () => {
    stack = await startStack({
      production: true,
      gateway: { env: { PERSISTED_QUERIES: 'trusted', TRUSTED_DOCUMENTS_PATH: MANIFEST_PATH } },
    });
  });
  afterAll(async () => stack?.close());

  it('runs a registered operation by hash (GET and POST) and by its exact text', async () => {
    const [hash, body] = registered;
    const byGet = await get(stack.gatewayUrl, { extensions: persisted(hash), variables: { first: 2 } });
    expect(byGet.status).toBe(200);
    expect(byGet.body.errors).toBeUndefined();
    const byPost = await post(stack.gatewayUrl, { extensions: persisted(hash), variables: { first: 2 } });
    expect(byPost.body.errors).toBeUndefined();
    const byText = await graphqlRequest(stack.gatewayUrl, body, { first: 2 });
    expect(byText.errors).toBeUndefined();
  });

  it('refuses any other operation with 400 PERSISTED_QUERY_NOT_IN_LIST, even with a matching hash', async () => {
    const freeform = await graphqlRequest(stack.gatewayUrl, QUERY);
    expect(freeform.status).toBe(400);
    expect(freeform.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const apqStyle = await post(stack.gatewayUrl, { query: QUERY, extensions: persisted(sha256(QUERY)) });
    expect(apqStyle.status).toBe(400);
    expect(apqStyle.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // ...and it did not get registered by trying.
    const after = await get(stack.gatewayUrl, { extensions: persisted(sha256(QUERY)) });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
