import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { COOKIE_TRANSPORT, REFRESH_MAX_AGE_HEADER, REFRESH_TOKEN_HEADER, SESSION_TRANSPORT_HEADER } from '@little-ecom/auth';
import { UnauthenticatedError } from '@little-ecom/errors';
import type { RequestContext } from '@little-ecom/http';

/*
 * Browser sessions (docs/auth.md, "Browser sessions"). The gateway is the HTTP edge: it keeps the
 * refresh token in an HttpOnly cookie and checks where a request comes from. Accounts owns the
 * session: the gateway forwards, on its signed mutation requests to accounts only, the browser-mode
 * flag and the cookie's token; accounts answers with the token the cookie should hold next (or that it
 * should be cleared) in response headers, never in the body.
 */

/** What this request says about the browser session, and what its answer does to the cookie. */
export interface CookieSession {
  /** The client asked for browser mode: refresh tokens travel in the cookie, never in the body. */
  readonly browser: boolean;
  /** The token of the client's refresh cookie, as the gateway forwarded it. */
  readonly presented: string | undefined;
  /** What the cookie should become: a new token until the session ends, or nothing (cleared). */
  outcome: { token: string; sessionExpiresAt: Date } | 'clear' | undefined;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function cookieSessionFrom(headers: IncomingHttpHeaders): CookieSession {
  const presented = single(headers[REFRESH_TOKEN_HEADER]);
  return {
    browser: single(headers[SESSION_TRANSPORT_HEADER])?.trim().toLowerCase() === COOKIE_TRANSPORT,
    presented: presented ? presented : undefined,
    outcome: undefined,
  };
}

/** The refresh token a mutation works with: the argument, else (browser mode) the cookie's. */
export function refreshTokenOf(session: CookieSession, argument: string | null | undefined): string | undefined {
  if (argument) return argument;
  return session.browser ? session.presented : undefined;
}

/** refreshSession's token, or UNAUTHENTICATED when the client sent neither an argument nor a cookie. */
export function requireRefreshToken(session: CookieSession, argument: string | null | undefined): string {
  const token = refreshTokenOf(session, argument);
  if (!token) throw new UnauthenticatedError('No refresh token: pass refreshToken, or log in again (no session cookie)');
  return token;
}

/**
 * The payload as the client may see it: in browser mode the refresh token goes to the cookie and the
 * body says null. A failed refresh leaves the cookie alone: when two tabs race, the loser's answer
 * must not clear the token the winner's answer just set.
 */
export function deliver<P extends { refreshToken: string; sessionExpiresAt: Date }>(
  session: CookieSession,
  payload: P,
): Omit<P, 'refreshToken'> & { refreshToken: string | null } {
  if (!session.browser) return payload;
  session.outcome = { token: payload.refreshToken, sessionExpiresAt: payload.sessionExpiresAt };
  return { ...payload, refreshToken: null };
}

/** Browser-mode log-out: whatever the outcome, this browser's cookie goes. */
export function clearCookie(session: CookieSession): void {
  if (session.browser) session.outcome = 'clear';
}

/**
 * Writes the outcome into the response headers the gateway reads (and turns into `Set-Cookie`).
 * Max-Age is the time left until the session's absolute end, so the cookie never outlives it.
 */
export function cookieSessionPlugin<TContext extends RequestContext & { cookieSession: CookieSession }>(
  clock: () => Date,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const outcome = contextValue.cookieSession.outcome;
          if (!outcome) return;
          if (outcome === 'clear') {
            response.http.headers.set(REFRESH_MAX_AGE_HEADER, '0');
            return;
          }
          const seconds = Math.ceil((outcome.sessionExpiresAt.getTime() - clock().getTime()) / 1000);
          response.http.headers.set(REFRESH_TOKEN_HEADER, outcome.token);
          response.http.headers.set(REFRESH_MAX_AGE_HEADER, String(Math.max(0, seconds)));
        },
      };
    },
  };
}
