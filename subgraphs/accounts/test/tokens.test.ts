import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '@little-ecom/auth';
import { unsignedToken } from '@little-ecom/testing';
import { CHANGE_PASSWORD, ME, SIGN_UP, codeOf, startAccounts, type AccountsUnderTest, type AuthPayloadData } from './support.js';

let accounts: AccountsUnderTest;
let session: AuthPayloadData;
beforeAll(async () => {
  accounts = await startAccounts();
  const res = await accounts.gql<{ signUp: AuthPayloadData }>(SIGN_UP, {
    input: { email: 'token@example.com', password: 'a sturdy passphrase', name: 'Tok' },
  });
  session = res.data!.signUp;
});
afterAll(async () => {
  await accounts.close();
});

interface Bend {
  issuer?: string;
  audience?: string;
  typ?: string;
  expiresAt?: number;
  key?: 'foreign' | 'hmac';
  kid?: string;
  sid?: string | null;
}

/** A token made with the service's own key (unless `key` says otherwise), bent in one way. */
async function bentToken(bend: Bend): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ role: 'ADMIN', ...(bend.sid === null ? {} : { sid: bend.sid ?? randomUUID() }) })
    .setIssuer(bend.issuer ?? accounts.settings.tokens.issuer)
    .setAudience(bend.audience ?? accounts.settings.tokens.audience)
    .setSubject(session.user.id)
    .setIssuedAt(now - 3600)
    .setExpirationTime(bend.expiresAt ?? now + 600)
    .setJti(randomUUID());
  const kid = bend.kid ?? accounts.keys.active.kid;
  if (bend.key === 'hmac') {
    // Algorithm confusion: an HMAC keyed with the public key material.
    const secret = new TextEncoder().encode(JSON.stringify(accounts.keys.jwks.keys[0]));
    return jwt.setProtectedHeader({ alg: 'HS256', kid, typ: bend.typ ?? 'at+jwt' }).sign(secret);
  }
  const key = bend.key === 'foreign' ? (await generateKeyPair('ES256')).privateKey : accounts.keys.active.key;
  return jwt.setProtectedHeader({ alg: 'ES256', kid, typ: bend.typ ?? 'at+jwt' }).sign(key);
}

describe('access tokens', () => {
  it('are ES256 JWTs with kid, typ at+jwt and the RFC 9068 claims, valid about 15 minutes', () => {
    const header = decodeProtectedHeader(session.accessToken);
    expect(header).toEqual({ alg: 'ES256', kid: accounts.keys.active.kid, typ: 'at+jwt' });
    const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'http://localhost:4002', aud: 'little-ecom', sub: session.user.id, role: 'CUSTOMER' });
    expect(typeof claims['jti']).toBe('string');
    expect(typeof claims['sid']).toBe('string');
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(900);
  });

  it('a well-formed token of our own is accepted (control for the cases below)', async () => {
    const res = await accounts.gql<{ me: { id: string } | null }>(ME, undefined, { token: await bentToken({}) });
    expect(res.data!.me).toMatchObject({ id: session.user.id });
  });

  const cases: [string, () => Promise<string>][] = [
    ['wrong issuer', () => bentToken({ issuer: 'https://evil.example' })],
    ['wrong audience', () => bentToken({ audience: 'someone-else' })],
    [
      'alg none',
      async () =>
        unsignedToken({
          iss: 'http://localhost:4002',
          aud: 'little-ecom',
          sub: session.user.id,
          role: 'ADMIN',
          jti: 'x',
          iat: 1,
          exp: 4102444800,
        }),
    ],
    ['alg HS256 (algorithm confusion)', () => bentToken({ key: 'hmac' })],
    ['signature by another key under our kid', () => bentToken({ key: 'foreign' })],
    ['unknown kid', () => bentToken({ key: 'foreign', kid: 'no-such-key' })],
    ['expired', () => bentToken({ expiresAt: Math.floor(Date.now() / 1000) - 120 })],
    ['typ JWT instead of at+jwt', () => bentToken({ typ: 'JWT' })],
    ['no sid claim', () => bentToken({ sid: null })],
    [
      'tampered payload',
      async () => {
        const [h, p, s] = session.accessToken.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
        return [h, Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url'), s].join('.');
      },
    ],
  ];

  it.each(cases)('%s: UNAUTHENTICATED on a protected mutation and on me', async (_name, make) => {
    const token = await make();
    const mutation = await accounts.gql(
      CHANGE_PASSWORD,
      { current: 'a sturdy passphrase', next: 'another sturdy passphrase' },
      { token },
    );
    expect(codeOf(mutation)).toBe('UNAUTHENTICATED');
    // A client must be able to tell "refresh now" from "logged out": only a missing token gives a null me.
    const query = await accounts.gql<{ me: unknown }>(ME, undefined, { token });
    expect(codeOf(query)).toBe('UNAUTHENTICATED');
    expect(query.status).toBe(200);
  });
});

describe('JWKS', () => {
  it('serves the public halves only, with cache headers', async () => {
    const response = await fetch(`${accounts.baseUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/max-age=300/);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: accounts.keys.active.kid, alg: 'ES256', use: 'sig' });
    expect(body.keys[0]).not.toHaveProperty('d');
  });

  it('lets another subgraph verify our tokens over HTTP with the shared verifier', async () => {
    const verifier = createTokenVerifier({
      jwksUrl: `${accounts.baseUrl}/.well-known/jwks.json`,
      issuer: 'http://localhost:4002',
      audience: 'little-ecom',
      algorithms: ['ES256'],
    });
    const result = await verifier.verify(session.accessToken);
    expect(result.viewer).toMatchObject({ userId: session.user.id, role: 'CUSTOMER' });
    expect(result.viewer!.sessionId).toBeTypeOf('string');
    expect((await verifier.verify(await bentToken({ key: 'foreign' }))).error).toBeDefined();
  });
});
