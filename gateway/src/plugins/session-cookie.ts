import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { COOKIE_TRANSPORT, REFRESH_MAX_AGE_HEADER, REFRESH_TOKEN_HEADER, SESSION_TRANSPORT_HEADER } from '@little-ecom/auth';
import { GraphQLError, OperationTypeNode } from 'graphql';
import type { BrowserSession } from '../types.js';

/*
 * Browser sessions (docs/auth.md, "Browser sessions"). A client that sends `x-session-transport: cookie`
 * never sees its refresh token: the gateway keeps it in an HttpOnly cookie scoped to the GraphQL path.
 * The gateway is the HTTP edge (cookie, origin check); accounts owns the session. Only on a browser-mode
 * mutation that passed the origin check, and only to the accounts subgraph, does the gateway forward the
 * cookie's token, in a header of its signed subgraph request; accounts answers the token the cookie
 * should hold next (or that it goes) in response headers, which the gateway turns into `Set-Cookie`.
 */

/** The refresh cookie. Not `__Host-`: that prefix needs `Path=/`, and this cookie goes to `/graphql` only. */
export const REFRESH_COOKIE = 'little_ecom_refresh';
/** Where browsers send the cookie: the GraphQL endpoint (the storefront's `/graphql`), nowhere else. */
export const REFRESH_COOKIE_PATH = '/graphql';
/** The subgraph that owns sessions: the only one that ever hears about the cookie. */
export const SESSION_SUBGRAPH = 'accounts';
/** The storefront's Vite dev server proxies `/graphql`, so in development the browser's origin is its own. */
export const DEVELOPMENT_STOREFRONT_ORIGINS: readonly string[] = ['http://localhost:5173', 'http://127.0.0.1:5173'];

export interface SessionCookieSettings {
  production: boolean;
  /** The CORS allow-list (`CORS_ORIGINS`); its `*` (development's default) allows no cookie use. */
  corsOrigins: readonly string[];
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A refresh token as accounts makes them (base64url of 32 random bytes), generously bounded. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,512}$/;

/** One cookie's value from a `Cookie` header; the first wins (browsers send the most specific path first). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== name) continue;
    return pair.slice(at + 1).trim();
  }
  return undefined;
}

export function browserSessionFrom(headers: IncomingHttpHeaders): BrowserSession {
  return {
    browser: single(headers[SESSION_TRANSPORT_HEADER])?.trim().toLowerCase() === COOKIE_TRANSPORT,
    cookieToken: readCookie(headers.cookie, REFRESH_COOKIE),
    origin: single(headers.origin),
    host: headers.host?.toLowerCase(),
    forward: false,
    outcome: undefined,
  };
}

/**
 * Whether the request comes from a page allowed to use the cookie: the gateway's own origin (same
 * host; the scheme is not compared because TLS ends at the ingress), an origin in `CORS_ORIGINS`, or
 * in development the local storefront. No Origin at all is not allowed: browsers send one on every POST.
 */
export function originAllowed(session: BrowserSession, settings: SessionCookieSettings): boolean {
  const { origin } = session;
  if (!origin || !URL.canParse(origin)) return false;
  if (session.host && new URL(origin).host === session.host) return true;
  if (settings.corsOrigins.includes(origin)) return true;
  return !settings.production && DEVELOPMENT_STOREFRONT_ORIGINS.includes(origin);
}

/** The `Set-Cookie` value for an outcome. */
export function refreshCookie(outcome: NonNullable<BrowserSession['outcome']>, production: boolean): string {
  const [value, maxAge] = outcome === 'clear' ? ['', 0] : [outcome.token, outcome.maxAgeSeconds];
  const attributes = [`Max-Age=${maxAge}`, `Path=${REFRESH_COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict'];
  if (production) attributes.push('Secure');
  return [`${REFRESH_COOKIE}=${value}`, ...attributes].join('; ');
}

/**
 * Extra headers of a subgraph request: browser mode and the cookie's token, for the session subgraph's
 * mutations only, and only once the origin check passed.
 */
export function sessionHeadersFor(
  subgraph: string,
  mutation: boolean,
  session: BrowserSession | undefined,
): Record<string, string> {
  if (subgraph !== SESSION_SUBGRAPH || !mutation || !session?.forward) return {};
  return {
    [SESSION_TRANSPORT_HEADER]: COOKIE_TRANSPORT,
    ...(session.cookieToken && TOKEN_SHAPE.test(session.cookieToken) ? { [REFRESH_TOKEN_HEADER]: session.cookieToken } : {}),
  };
}

/** Takes what the session subgraph's answer to a forwarded mutation says the cookie should become. */
export function takeSessionOutcome(
  subgraph: string,
  mutation: boolean,
  session: BrowserSession | undefined,
  headers: IncomingHttpHeaders,
): void {
  if (subgraph !== SESSION_SUBGRAPH || !mutation || !session?.forward) return;
  const maxAge = single(headers[REFRESH_MAX_AGE_HEADER]);
  if (!maxAge || !/^[0-9]{1,10}$/.test(maxAge)) return;
  const token = single(headers[REFRESH_TOKEN_HEADER]);
  if (maxAge === '0') session.outcome = 'clear';
  else if (token && TOKEN_SHAPE.test(token)) session.outcome = { token, maxAgeSeconds: Number(maxAge) };
}

const forbidden = () =>
  new GraphQLError(
    'This request uses the session cookie, so it must come from an allowed page: send an Origin of this site ' +
      'or one listed in CORS_ORIGINS',
    { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
  );

/**
 * CSRF defence for cookie sessions, on top of Apollo's CSRF prevention: a mutation that carries the
 * browser-mode header or the refresh cookie must come from an allowed origin (FORBIDDEN, 403, before
 * anything runs). Queries never read or set the cookie. Then writes accounts' outcome as `Set-Cookie`.
 */
export function sessionCookiePlugin<TContext extends BaseContext & { browserSession: BrowserSession }>(
  settings: SessionCookieSettings,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          const session = contextValue.browserSession;
          if (operation?.operation !== OperationTypeNode.MUTATION) return;
          if (!session.browser && session.cookieToken === undefined) return;
          if (!originAllowed(session, settings)) throw forbidden();
          session.forward = session.browser;
        },
        async willSendResponse({ contextValue, response }) {
          const { outcome } = contextValue.browserSession;
          if (outcome) response.http.headers.set('set-cookie', refreshCookie(outcome, settings.production));
        },
      };
    },
  };
}
