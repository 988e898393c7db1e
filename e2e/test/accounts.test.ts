import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import { loadSecretBox } from '@little-ecom/secrets';
import { eventually, graphqlRequest, unsignedToken } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

// The dev key the services use (.data/event-secrets.key): the event carries the token sealed.
const eventSecrets = loadSecretBox({});

/** The part of a stored accounts user these tests read: its pending events. */
interface StoredUser {
  outbox: { type: string; data: Record<string, unknown> }[];
}

const AUTH = 'accessToken refreshToken expiresAt user { id email role }';
interface Payload {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; role: string };
}
const PASSWORD = 'through the gateway we go';
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id slug } }`;
const product = (slug: string) => ({
  input: { slug, name: `Lamp ${slug}`, price: { amount: 1999, currency: 'EUR' }, stock: 3, category: 'lamps' },
});
const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];

describe('accounts through the gateway', () => {
  let stack: Stack;
  const gql = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string) =>
    graphqlRequest<T>(stack.gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const signUp = async (email: string) => {
    const res = await gql<{ signUp: Payload }>(`mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`, {
      input: { email, password: PASSWORD, name: 'Gateway User' },
    });
    expect(res.errors).toBeUndefined();
    return res.data!.signUp;
  };
  const logIn = async (email: string, password = PASSWORD) => {
    const res = await gql<{ logIn: Payload }>(
      `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { ${AUTH} } }`,
      { e: email, p: password },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.logIn;
  };

  beforeAll(async () => {
    stack = await startStack({ mode: 'accounts' });
  });
  afterAll(async () => stack?.close());

  it('signs up, and me knows the new user', async () => {
    const session = await signUp('shopper@example.com');
    const me = await gql<{ me: { email: string; role: string } }>('{ me { email role } }', undefined, session.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ email: 'shopper@example.com', role: 'CUSTOMER' });
  });

  it('logs in, refreshes, logs out and resets a password', async () => {
    await signUp('cycle@example.com');
    const login = await logIn('cycle@example.com');
    const refreshed = await gql<{ refreshSession: Payload }>(
      `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`,
      { t: login.refreshToken },
    );
    expect(refreshed.errors).toBeUndefined();
    const out = await gql<{ logOut: boolean }>('mutation($t: String!) { logOut(refreshToken: $t) }', {
      t: refreshed.data!.refreshSession.refreshToken,
    });
    expect(out.data!.logOut).toBe(true);

    const requested = await gql<{ requestPasswordReset: boolean }>(
      'mutation { requestPasswordReset(email: "cycle@example.com") }',
    );
    expect(requested.data!.requestPasswordReset).toBe(true);
    const user = await stack.accounts!.db.db.collection<StoredUser>('users').findOne({ email: 'cycle@example.com' });
    const token = eventSecrets.open(
      user!.outbox.find((e) => e.type === 'user.password_reset_requested')!.data['sealedResetToken'] as string,
      RESET_TOKEN_PURPOSE,
    );
    const reset = await gql<{ resetPassword: boolean }>(
      'mutation($t: String!) { resetPassword(token: $t, newPassword: "a reset worked nicely") }',
      { t: token },
    );
    expect(reset.data!.resetPassword).toBe(true);
    await logIn('cycle@example.com', 'a reset worked nicely');
  });

  it('gives a CUSTOMER FORBIDDEN on createProduct', async () => {
    const customer = await signUp('customer@example.com');
    const res = await gql(CREATE_PRODUCT, product('customer-lamp'), customer.accessToken);
    expect(codeOf(res)).toBe('FORBIDDEN');
  });

  it('lets an admin made with create-admin change the catalog', async () => {
    await stack.accounts!.createAdmin('owner@example.com', 'owner passphrase for the shop');
    const admin = await logIn('owner@example.com', 'owner passphrase for the shop');
    expect(admin.user.role).toBe('ADMIN');
    const res = await gql<{ createProduct: { slug: string } }>(CREATE_PRODUCT, product('admin-lamp'), admin.accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.createProduct.slug).toBe('admin-lamp');
  });

  describe('rejected tokens are UNAUTHENTICATED at the gateway, for every subgraph', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await signUp('victim@example.com')).user.id;
    });

    const bent = async (o: {
      issuer?: string;
      audience?: string;
      typ?: string;
      exp?: number;
      foreign?: boolean;
      hmac?: boolean;
    }) => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ role: 'ADMIN', sid: randomUUID() })
        .setIssuer(o.issuer ?? 'http://localhost:4002')
        .setAudience(o.audience ?? 'little-ecom')
        .setSubject(userId)
        .setIssuedAt(now - 3600)
        .setExpirationTime(o.exp ?? now + 600)
        .setJti(randomUUID());
      if (o.hmac)
        return jwt
          .setProtectedHeader({ alg: 'HS256', kid: stack.accounts!.keys.active.kid, typ: 'at+jwt' })
          .sign(new TextEncoder().encode('x'.repeat(32)));
      const key = o.foreign ? (await generateKeyPair('ES256')).privateKey : stack.accounts!.keys.active.key;
      return jwt.setProtectedHeader({ alg: 'ES256', kid: stack.accounts!.keys.active.kid, typ: o.typ ?? 'at+jwt' }).sign(key);
    };

    const cases: [string, () => Promise<string>][] = [
      ['wrong issuer', () => bent({ issuer: 'https://evil.example' })],
      ['wrong audience', () => bent({ audience: 'elsewhere' })],
      [
        'alg none',
        async () =>
          unsignedToken({
            iss: 'http://localhost:4002',
            aud: 'little-ecom',
            sub: userId,
            role: 'ADMIN',
            jti: 'j',
            iat: 1,
            exp: 4102444800,
          }),
      ],
      ['alg HS256', () => bent({ hmac: true })],
      ['bad signature', () => bent({ foreign: true })],
      ['expired', () => bent({ exp: Math.floor(Date.now() / 1000) - 120 })],
      ['typ JWT', () => bent({ typ: 'JWT' })],
    ];

    it('control: an ADMIN token signed with the real key works on products', async () => {
      const res = await gql(CREATE_PRODUCT, product('control-lamp'), await bent({}));
      expect(res.errors).toBeUndefined();
    });

    it.each(cases)('%s', async (_name, make) => {
      const token = await make();
      expect(codeOf(await gql(CREATE_PRODUCT, product(`lamp-${randomUUID().slice(0, 8)}`), token))).toBe('UNAUTHENTICATED');
      expect(
        codeOf(
          await gql('mutation { changePassword(currentPassword: "x", newPassword: "a new passphrase ok") }', undefined, token),
        ),
      ).toBe('UNAUTHENTICATED');
      // Only a missing token makes me null; a bad one is UNAUTHENTICATED, so clients know to refresh.
      expect(codeOf(await gql<{ me: unknown }>('{ me { id } }', undefined, token))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql('{ products(first: 1) { totalCount } }', undefined, token))).toBe('UNAUTHENTICATED');
    });
  });

  describe('ended sessions stop working at every subgraph within 2 s', () => {
    const DEADLINE_MS = 2_000;
    /** Polls (bounded by the deadline) until `token` is refused by `query`'s subgraph. */
    const refusedWithin = (query: string, token: string, variables?: Record<string, unknown>) =>
      eventually(
        async () => (codeOf(await gql(query, variables, token)) === 'UNAUTHENTICATED' ? true : undefined),
        DEADLINE_MS,
        50,
      );
    const ON_PRODUCTS = '{ products(first: 1) { totalCount } }';
    const ON_ACCOUNTS = '{ me { id } }';

    it('logOut ends the access token at accounts and products', async () => {
      const session = await signUp(`bye-${randomUUID().slice(0, 8)}@example.com`);
      expect((await gql(ON_PRODUCTS, undefined, session.accessToken)).errors).toBeUndefined();
      const out = await gql('mutation($t: String!) { logOut(refreshToken: $t) }', { t: session.refreshToken });
      expect(out.data).toEqual({ logOut: true });
      await refusedWithin(ON_PRODUCTS, session.accessToken);
      await refusedWithin(ON_ACCOUNTS, session.accessToken);
    });

    it('a demoted admin can no longer create products with the old token', async () => {
      const suffix = randomUUID().slice(0, 8);
      await stack.accounts!.createAdmin(`boss-${suffix}@example.com`, PASSWORD);
      await stack.accounts!.createAdmin(`former-${suffix}@example.com`, PASSWORD);
      const boss = await logIn(`boss-${suffix}@example.com`);
      const former = await logIn(`former-${suffix}@example.com`);
      expect((await gql(CREATE_PRODUCT, product(`before-${suffix}`), former.accessToken)).errors).toBeUndefined();
      const demoted = await gql(
        'mutation($u: ID!) { setUserRole(userId: $u, role: CUSTOMER) { role } }',
        { u: former.user.id },
        boss.accessToken,
      );
      expect(demoted.errors).toBeUndefined();
      await refusedWithin(CREATE_PRODUCT, former.accessToken, product(`after-${suffix}`));
    });
  });
});
