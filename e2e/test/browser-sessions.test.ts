import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, type GraphQLResponse } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

// Browser sessions (docs/auth.md, "Browser sessions"): the refresh token lives in an HttpOnly cookie the
// gateway sets and rotates; the body never carries it; mutations that touch the cookie need an allowed Origin.

const PASSWORD = 'cookies are for browsers';
const AUTH = 'accessToken refreshToken expiresAt user { id email }';
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`;
const LOG_IN = `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { ${AUTH} } }`;
const REFRESH = `mutation { refreshSession { ${AUTH} } }`;
const LOG_OUT = 'mutation { logOut }';
const THIRTY_DAYS = 30 * 24 * 3600;
const DEV_STOREFRONT = 'http://localhost:5173';

interface Payload {
  accessToken: string;
  refreshToken: string | null;
  user: { id: string; email: string };
}
type Answer<T> = GraphQLResponse<T> & { setCookies: string[] };

const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];
/** The refresh cookie's value in a Set-Cookie header. */
const cookieValue = (setCookie: string) => /^little_ecom_refresh=([^;]*);/.exec(setCookie)?.[1];
const newEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** Sends one request as a browser would: JSON, with an Origin, in browser mode unless told otherwise. */
async function browserRequest<T>(
  stack: Stack,
  query: string,
  variables: Record<string, unknown> | undefined,
  options: { origin?: string | null; cookie?: string; browser?: boolean; token?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? new URL(stack.gatewayUrl).origin : options.origin;
  if (origin !== null) headers['origin'] = origin;
  if (options.browser ?? true) headers['x-session-transport'] = 'cookie';
  if (options.cookie !== undefined) headers['cookie'] = `theme=dark; little_ecom_refresh=${options.cookie}`;
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const res = await graphqlRequest<T>(stack.gatewayUrl, query, variables, headers);
  return { ...res, setCookies: res.headers.getSetCookie() };
}

describe('browser sessions through the gateway (development)', () => {
  let stack: Stack;
  const request = <T>(query: string, variables?: Record<string, unknown>, options?: Parameters<typeof browserRequest>[3]) =>
    browserRequest<T>(stack, query, variables, options);

  /** Signs up in browser mode and returns the access token and the cookie's value. */
  const signUp = async (email: string) => {
    const res = await request<{ signUp: Payload }>(SIGN_UP, { input: { email, password: PASSWORD, name: 'Cookie User' } });
    expect(res.errors).toBeUndefined();
    expect(res.setCookies).toHaveLength(1);
    return { payload: res.data!.signUp, cookie: cookieValue(res.setCookies[0]!)! };
  };

  beforeAll(async () => {
    stack = await startStack({ mode: 'accounts' });
  });
  afterAll(async () => stack?.close());

  it('log-in sets the refresh cookie with exactly the agreed attributes, and the body has no token', async () => {
    const email = newEmail('login');
    await signUp(email);
    const res = await request<{ logIn: Payload }>(LOG_IN, { e: email, p: PASSWORD });
    expect(res.errors).toBeUndefined();
    expect(res.data!.logIn.refreshToken).toBeNull();
    expect(res.setCookies).toHaveLength(1);
    const token = cookieValue(res.setCookies[0]!)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.setCookies[0]).toBe(
      `little_ecom_refresh=${token}; Max-Age=${THIRTY_DAYS}; Path=/graphql; HttpOnly; SameSite=Strict`,
    );
    expect(JSON.stringify(res.data)).not.toContain(token);
    // The access token is the usual one.
    const me = await request<{ me: { email: string } }>('{ me { email } }', undefined, { token: res.data!.logIn.accessToken });
    expect(me.data!.me.email).toBe(email);
  });

  it('refreshSession without an argument rotates the cookie; the old value then ends the family', async () => {
    const { cookie: first } = await signUp(newEmail('rotate'));
    // From the Vite dev server's origin, as the storefront in `npm run dev` calls.
    const refreshed = await request<{ refreshSession: Payload }>(REFRESH, undefined, { cookie: first, origin: DEV_STOREFRONT });
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refreshSession.refreshToken).toBeNull();
    expect(refreshed.data!.refreshSession.accessToken).toEqual(expect.any(String));
    const second = cookieValue(refreshed.setCookies[0]!)!;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(refreshed.setCookies[0]).toMatch(/; Path=\/graphql; HttpOnly; SameSite=Strict$/);

    const replay = await request(REFRESH, undefined, { cookie: first });
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');
    // A refused refresh leaves the cookie alone (a racing tab's loser must not clear the winner's token).
    expect(replay.setCookies).toEqual([]);
    // Reuse of a rotated token revoked the whole family: the newer cookie is dead too.
    expect(codeOf(await request(REFRESH, undefined, { cookie: second }))).toBe('UNAUTHENTICATED');
  });

  it('logOut without an argument ends the cookie session and clears the cookie', async () => {
    const { cookie } = await signUp(newEmail('logout'));
    const out = await request<{ logOut: boolean }>(LOG_OUT, undefined, { cookie });
    expect(out.data).toEqual({ logOut: true });
    expect(out.setCookies).toEqual(['little_ecom_refresh=; Max-Age=0; Path=/graphql; HttpOnly; SameSite=Strict']);
    expect(codeOf(await request(REFRESH, undefined, { cookie }))).toBe('UNAUTHENTICATED');
  });

  it('refuses a request that carries the cookie from a foreign origin, and changes nothing', async () => {
    const { cookie } = await signUp(newEmail('csrf'));
    // The development CORS list is `*`; that still lets no foreign page use the cookie.
    for (const options of [
      { cookie, origin: 'https://evil.example' },
      { cookie, origin: 'null' },
      { cookie, origin: null },
      { cookie, origin: 'https://evil.example', browser: false },
    ]) {
      for (const query of [REFRESH, LOG_OUT]) {
        const res = await request(query, undefined, options);
        expect(res.status).toBe(403);
        expect(codeOf(res)).toBe('FORBIDDEN');
        expect(res.errors![0]!.message).toMatch(/session cookie.*Origin/);
        expect(res.data ?? null).toBeNull();
        expect(res.setCookies).toEqual([]);
      }
    }
    // A browser-mode log-in from a foreign page is refused too: it would set the cookie.
    const login = await request(LOG_IN, { e: newEmail('nobody'), p: PASSWORD }, { origin: 'https://evil.example' });
    expect(login.status).toBe(403);
    expect(codeOf(login)).toBe('FORBIDDEN');
    // Nothing happened: the session is alive and its cookie still refreshes once, from the right page.
    const still = await request<{ refreshSession: Payload }>(REFRESH, undefined, { cookie });
    expect(still.errors).toBeUndefined();
    expect(still.setCookies).toHaveLength(1);
    // Queries never read or set the cookie, so they are not refused.
    const query = await request('{ __typename }', undefined, { cookie, origin: 'https://evil.example' });
    expect(query.status).toBe(200);
  });

  it('a cookie-less refreshSession is UNAUTHENTICATED and a cookie-less logOut is false', async () => {
    const refreshed = await request(REFRESH);
    expect(refreshed.status).toBe(200);
    expect(codeOf(refreshed)).toBe('UNAUTHENTICATED');
    expect(refreshed.setCookies).toEqual([]);
    const out = await request<{ logOut: boolean }>(LOG_OUT);
    expect(out.data).toEqual({ logOut: false });
  });

  it('token-in-body clients work as before and never get or use the cookie', async () => {
    const email = newEmail('body');
    const signedUp = await request<{ signUp: Payload }>(
      SIGN_UP,
      { input: { email, password: PASSWORD, name: 'Body User' } },
      { browser: false, origin: null },
    );
    expect(signedUp.setCookies).toEqual([]);
    const token = signedUp.data!.signUp.refreshToken!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const refreshed = await request<{ refreshSession: Payload }>(
      'mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }',
      { t: token },
      { browser: false, origin: null },
    );
    expect(refreshed.setCookies).toEqual([]);
    expect(refreshed.data!.refreshSession.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Without browser mode a cookie is not read, even from the gateway's own page.
    const { cookie } = await signUp(newEmail('ignored'));
    expect(codeOf(await request(REFRESH, undefined, { cookie, browser: false }))).toBe('UNAUTHENTICATED');
    expect((await request(REFRESH, undefined, { cookie })).errors).toBeUndefined();
  });

  it('never writes a refresh token to the logs', async () => {
    const { cookie } = await signUp(newEmail('logs'));
    const refreshed = await request(REFRESH, undefined, { cookie });
    const next = cookieValue(refreshed.setCookies[0]!)!;
    const logged = JSON.stringify(stack.logs);
    expect(logged).not.toContain(cookie);
    expect(logged).not.toContain(next);
  });
});

describe('browser sessions through the gateway (production)', () => {
  let stack: Stack;
  const SHOP = 'https://shop.example';

  beforeAll(async () => {
    stack = await startStack({ mode: 'accounts', production: true, corsOrigins: [SHOP] });
  });
  afterAll(async () => stack?.close());

  it('sets a Secure cookie for the gateway own origin and the CORS list, never for the dev storefront', async () => {
    const email = newEmail('prod');
    const signedUp = await browserRequest<{ signUp: Payload }>(stack, SIGN_UP, {
      input: { email, password: PASSWORD, name: 'Prod User' },
    });
    expect(signedUp.errors).toBeUndefined();
    expect(signedUp.data!.signUp.refreshToken).toBeNull();
    const token = cookieValue(signedUp.setCookies[0]!)!;
    expect(signedUp.setCookies).toEqual([
      `little_ecom_refresh=${token}; Max-Age=${THIRTY_DAYS}; Path=/graphql; HttpOnly; SameSite=Strict; Secure`,
    ]);

    const fromShop = await browserRequest<{ refreshSession: Payload }>(stack, REFRESH, undefined, {
      cookie: token,
      origin: SHOP,
    });
    expect(fromShop.errors).toBeUndefined();
    expect(fromShop.setCookies[0]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const next = cookieValue(fromShop.setCookies[0]!)!;

    const fromDev = await browserRequest(stack, REFRESH, undefined, { cookie: next, origin: DEV_STOREFRONT });
    expect(fromDev.status).toBe(403);
    expect(codeOf(fromDev)).toBe('FORBIDDEN');

    const out = await browserRequest<{ logOut: boolean }>(stack, LOG_OUT, undefined, { cookie: next });
    expect(out.data).toEqual({ logOut: true });
    expect(out.setCookies).toEqual(['little_ecom_refresh=; Max-Age=0; Path=/graphql; HttpOnly; SameSite=Strict; Secure']);
  });
});
