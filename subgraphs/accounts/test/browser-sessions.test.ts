import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayHeaders, graphqlRequest } from '@little-ecom/testing';
import { startAccounts, type AccountsUnderTest } from './support.js';

// Browser mode as accounts sees it (docs/auth.md, "Browser sessions"): the gateway forwards the cookie's
// token in a header of its signed request and turns the answer's headers into Set-Cookie.

const PASSWORD = 'a browser keeps no tokens';
const AUTH = 'accessToken refreshToken expiresAt user { id email }';
const REFRESH = `mutation { refreshSession { ${AUTH} } }`;
const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['code'];

describe('browser-mode sessions in accounts', () => {
  let accounts: AccountsUnderTest;
  /** A signed request as the gateway sends it for a browser-mode mutation, with the cookie's token if any. */
  const asBrowser = <T>(query: string, variables?: Record<string, unknown>, cookieToken?: string, browser = true) =>
    graphqlRequest<T>(accounts.url, query, variables, (body) => ({
      // The cookie's token travels inside the signature, as the gateway sends it.
      ...gatewayHeaders(accounts.gatewayKeys.signingKey, {
        audience: 'accounts',
        body,
        clientIp: '198.51.100.1',
        refreshToken: cookieToken,
      }),
      ...(browser ? { 'x-session-transport': 'cookie' } : {}),
    }));

  beforeAll(async () => {
    accounts = await startAccounts();
  });
  afterAll(async () => accounts?.close());

  it('answers the token in headers with the time left in the session, and null in the body', async () => {
    const email = 'browser@example.com';
    const res = await asBrowser<{ signUp: { refreshToken: string | null } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`,
      { input: { email, password: PASSWORD, name: 'Browser' } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.signUp.refreshToken).toBeNull();
    const token = res.headers.get('x-session-refresh-token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get('x-session-refresh-max-age')).toBe(String(accounts.settings.tokens.refreshTtlSeconds));

    const refreshed = await asBrowser<{ refreshSession: { refreshToken: string | null } }>(REFRESH, undefined, token);
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refreshSession.refreshToken).toBeNull();
    const next = refreshed.headers.get('x-session-refresh-token')!;
    expect(next).not.toBe(token);

    // A failed refresh says nothing about the cookie.
    const replay = await asBrowser(REFRESH, undefined, token);
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');
    expect(replay.headers.get('x-session-refresh-max-age')).toBeNull();

    const out = await asBrowser<{ logOut: boolean }>('mutation { logOut }', undefined, next);
    expect(out.data).toEqual({ logOut: false }); // the replay above ended the family
    expect(out.headers.get('x-session-refresh-max-age')).toBe('0');
    expect(out.headers.get('x-session-refresh-token')).toBeNull();
  });

  it('ignores a forwarded token outside browser mode, and needs one to refresh', async () => {
    const session = await accounts.signUp({ email: 'body@example.com', password: PASSWORD, name: 'Body' });
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A token added to a signed request on the way (another pod, a proxy) fails the signature.
    const added = await graphqlRequest(accounts.url, REFRESH, undefined, (body) => ({
      ...gatewayHeaders(accounts.gatewayKeys.signingKey, { audience: 'accounts', body, clientIp: '198.51.100.1' }),
      'x-session-transport': 'cookie',
      'x-session-refresh-token': session.refreshToken,
    }));
    expect(added.status).toBe(403);
    expect(codeOf(added)).toBe('FORBIDDEN');
    const ignored = await asBrowser(REFRESH, undefined, session.refreshToken, false);
    expect(codeOf(ignored)).toBe('UNAUTHENTICATED');
    expect(ignored.headers.get('x-session-refresh-token')).toBeNull();
    expect(codeOf(await asBrowser(REFRESH))).toBe('UNAUTHENTICATED');
    const out = await asBrowser<{ logOut: boolean }>('mutation { logOut }', undefined, undefined, false);
    expect(out.data).toEqual({ logOut: false });
    expect(out.headers.get('x-session-refresh-max-age')).toBeNull();
    // The body token still works as before.
    expect((await accounts.gql(`mutation($t: String!) { logOut(refreshToken: $t) }`, { t: session.refreshToken })).data).toEqual({
      logOut: true,
    });
  });
});
