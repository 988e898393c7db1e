import { createPublicKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_SIGNATURE_HEADER, decodeGatewaySigningKey, gatewayPublicKeyText, signGatewayRequest } from '@little-ecom/auth';
import { eventually, gatewayHeaders, graphqlRequest } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];
const ENTITY_EMAIL = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { email } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`;

describe('subgraphs trust only the gateway', () => {
  let stack: Stack;
  let victim: { accessToken: string; user: { id: string } };
  let other: { accessToken: string; user: { id: string } };
  let victimEmail: string;
  const signUp = async (email: string) => {
    const res = await graphqlRequest<{ signUp: typeof victim }>(stack.gatewayUrl, SIGN_UP, {
      input: { email, password: 'a trustworthy passphrase', name: 'Trust' },
    });
    expect(res.errors).toBeUndefined();
    return res.data!.signUp;
  };
  /** A request to a subgraph, signed like the gateway signs it (or not at all, or tampered). */
  const direct = (
    subgraph: string,
    query: string,
    variables: Record<string, unknown>,
    how: { token?: string; sign?: 'valid' | 'none' | 'tampered' | 'other-token' } = {},
  ) => {
    const authorization = how.token ? `Bearer ${how.token}` : undefined;
    const sign = how.sign ?? 'valid';
    const headers = (body: string): Record<string, string> => {
      if (sign === 'none') return { 'x-request-id': randomUUID(), ...(authorization ? { authorization } : {}) };
      const signedAuthorization = sign === 'other-token' ? 'Bearer something-else' : authorization;
      const signed = gatewayHeaders(stack.subgraphKey, {
        audience: subgraph,
        body,
        clientIp: '203.0.113.9',
        authorization: signedAuthorization,
      });
      if (sign === 'tampered')
        signed[GATEWAY_SIGNATURE_HEADER] = signed[GATEWAY_SIGNATURE_HEADER]!.replace('203.0.113.9', '203.0.113.10');
      return { ...signed, ...(authorization ? { authorization } : {}) };
    };
    return graphqlRequest(`${stack.subgraphs[subgraph]!.url}/graphql`, query, variables, headers);
  };
  /** The headers the gateway sends with `body` to `subgraph`, as a captured request shows them. */
  const capture = (subgraph: string, body: string) => stack.asGateway(subgraph, `Bearer ${victim.accessToken}`)(body);

  beforeAll(async () => {
    // Every subgraph: accounts, products, notifications and orders.
    stack = await startStack({ mode: 'orders' });
    victimEmail = `victim-${randomUUID().slice(0, 8)}@example.com`;
    victim = await signUp(victimEmail);
    other = await signUp(`other-${randomUUID().slice(0, 8)}@example.com`);
  }, 90_000);
  afterAll(async () => stack?.close());

  it('refuses GraphQL from anyone but the gateway, at every subgraph', async () => {
    expect(Object.keys(stack.subgraphs).sort()).toEqual(['accounts', 'notifications', 'orders', 'products']);
    for (const subgraph of Object.keys(stack.subgraphs)) {
      for (const sign of ['none', 'tampered', 'other-token'] as const) {
        const res = await direct(subgraph, '{ __typename }', {}, { sign, token: victim.accessToken });
        expect(res.status, `${subgraph} ${sign}`).toBe(403);
        expect(codeOf(res)).toBe('FORBIDDEN');
      }
      // Not even the SDL.
      expect((await direct(subgraph, '{ _service { sdl } }', {}, { sign: 'none' })).status, `${subgraph} _service`).toBe(403);
      // The gateway itself gets through (control).
      expect((await direct(subgraph, '{ __typename }', {})).errors).toBeUndefined();
    }
  });

  it('refuses a captured gateway request replayed, or its headers with another body, method, path or subgraph', async () => {
    const send = (subgraph: string, headers: Record<string, string>, body: string, method = 'POST', path = '/graphql') =>
      fetch(`${stack.subgraphs[subgraph]!.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(method === 'POST' ? { body } : {}),
      });
    const body = JSON.stringify({ query: '{ __typename }' });
    const fresh = () => capture('accounts', body);
    // The first use is accepted (control); the same headers and body again are not.
    const captured = fresh();
    expect((await send('accounts', captured, body)).status).toBe(200);
    expect((await send('accounts', captured, body)).status, 'replayed').toBe(403);
    // Never used before, but sent with another body, method, path or to another subgraph.
    const other = JSON.stringify({ query: '{ _service { sdl } }' });
    expect((await send('accounts', fresh(), other)).status, 'other body').toBe(403);
    expect(
      (await send('accounts', fresh(), '', 'GET', `/graphql?query=${encodeURIComponent('{ __typename }')}`)).status,
      'GET',
    ).toBe(403);
    expect((await send('accounts', fresh(), body, 'POST', '/graphql?other=1')).status, 'other path').toBe(403);
    expect((await send('products', fresh(), body)).status, 'other subgraph').toBe(403);
    // A fresh signature for the exact request still passes (control).
    expect((await send('accounts', fresh(), body)).status).toBe(200);
  });

  it("gives subgraphs nothing to sign with: the gateway's public key signs no accepted request", async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const request = {
      method: 'POST',
      target: '/graphql',
      audience: 'accounts',
      body,
      requestId: randomUUID(),
      clientIp: '203.0.113.9',
      authorization: undefined,
    };
    // What every subgraph holds is the public key: Ed25519 cannot sign with it.
    expect(() => signGatewayRequest(createPublicKey(stack.subgraphKey), request)).toThrow();
    // Nor does its text, taken as a private key, sign anything accounts accepts.
    const asPrivate = decodeGatewaySigningKey(gatewayPublicKeyText(stack.subgraphKey));
    const headers = gatewayHeaders(asPrivate, { audience: 'accounts', body, clientIp: '203.0.113.9' });
    const res = await fetch(`${stack.subgraphs['accounts']!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    expect(res.status).toBe(403);
  });

  it("holds every subgraph to the gateway's depth, alias and token limits (with the planner's headroom)", async () => {
    const messages = (res: { errors?: { message: string }[] }) => (res.errors ?? []).map((e) => e.message).join('\n');
    // `__typename` aliases are free (graphql-armor's allow-list); `_service` is on every subgraph.
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: _service { sdl }`).join(' ')} }`;
    const nested = (depth: number) => `{ ${'a { '.repeat(depth - 1)}b${' }'.repeat(depth - 1)} }`;
    for (const subgraph of Object.keys(stack.subgraphs)) {
      expect((await direct(subgraph, aliases(15), {})).errors, `${subgraph} 15 aliases`).toBeUndefined();
      const tooMany = await direct(subgraph, aliases(16), {});
      expect(tooMany.status, `${subgraph} 16 aliases`).toBe(400);
      expect(messages(tooMany)).toMatch(/aliases/i);
      // Depth 11 is the gateway's 10 plus the `_entities` level; 12 is refused.
      expect(messages(await direct(subgraph, nested(11), {})), `${subgraph} depth 11`).not.toMatch(/depth/i);
      expect(messages(await direct(subgraph, nested(12), {})), `${subgraph} depth 12`).toMatch(/depth/i);
      const long = await direct(subgraph, `{ ${'__typename '.repeat(4_100)}}`, {});
      expect(long.status, `${subgraph} tokens`).toBe(400);
      expect(codeOf(long)).toBe('GRAPHQL_PARSE_FAILED');
    }
  });

  it('keeps health checks, the JWKS and the revocation feed open', async () => {
    const accounts = stack.subgraphs['accounts']!.url;
    expect((await fetch(`${accounts}/healthz`)).status).toBe(200);
    expect((await fetch(`${accounts}/.well-known/jwks.json`)).status).toBe(200);
    expect((await fetch(`${accounts}/internal/revocations`)).status).toBe(200);
    for (const subgraph of Object.values(stack.subgraphs)) expect((await fetch(`${subgraph.url}/healthz`)).status).toBe(200);
  });

  it('refuses an ended session at every subgraph, gateway-signed, within 2 s', async () => {
    const session = await graphqlRequest<{ logIn: { accessToken: string; refreshToken: string } }>(
      stack.gatewayUrl,
      `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken refreshToken } }`,
      { e: victimEmail, p: 'a trustworthy passphrase' },
    );
    const { accessToken, refreshToken } = session.data!.logIn;
    for (const subgraph of Object.keys(stack.subgraphs))
      expect((await direct(subgraph, '{ __typename }', {}, { token: accessToken })).errors, subgraph).toBeUndefined();
    const cart = '{ me { cart { items { quantity } } } }';
    const viaGateway = () => graphqlRequest(stack.gatewayUrl, cart, {}, { authorization: `Bearer ${accessToken}` });
    expect((await viaGateway()).errors).toBeUndefined();

    const out = await graphqlRequest(stack.gatewayUrl, 'mutation($t: String!) { logOut(refreshToken: $t) }', { t: refreshToken });
    expect(out.data).toEqual({ logOut: true });
    const endedAt = Date.now();
    for (const subgraph of Object.keys(stack.subgraphs)) {
      await eventually(
        async () =>
          codeOf(await direct(subgraph, '{ __typename }', {}, { token: accessToken })) === 'UNAUTHENTICATED' ? true : undefined,
        Math.max(0, 2_000 - (Date.now() - endedAt)),
        50,
      );
    }
    expect(codeOf(await viaGateway())).toBe('UNAUTHENTICATED');
  });

  it('does not give out emails through _entities to a non-gateway caller', async () => {
    const res = await direct('accounts', ENTITY_EMAIL, { reps: [{ __typename: 'User', id: victim.user.id }] }, { sign: 'none' });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res)).not.toContain('@example.com');
  });

  it('does not give out emails through _entities from the gateway to another user', async () => {
    const reps = { reps: [{ __typename: 'User', id: victim.user.id }] };
    const asOther = await direct('accounts', ENTITY_EMAIL, reps, { token: other.accessToken });
    expect(codeOf(asOther)).toBe('FORBIDDEN');
    expect(JSON.stringify(asOther)).not.toContain('victim-');
    const anonymous = await direct('accounts', ENTITY_EMAIL, reps);
    expect(codeOf(anonymous)).toBe('FORBIDDEN');
    // The owner sees their own.
    const own = await direct('accounts', ENTITY_EMAIL, reps, { token: victim.accessToken });
    expect(JSON.stringify(own.data)).toContain('victim-');
  });
});
