/*
 * Browser sessions (docs/auth.md, "Browser sessions"): the header names the client, the gateway and the
 * accounts subgraph agree on. The gateway keeps the refresh token in an HttpOnly cookie; accounts owns
 * the session and hears about the cookie only through the gateway's signed requests.
 */

/** Sent by a browser client: `cookie` asks for browser mode (refresh tokens in the cookie, never in bodies). */
export const SESSION_TRANSPORT_HEADER = 'x-session-transport';
/** The value of `x-session-transport` that asks for browser mode. */
export const COOKIE_TRANSPORT = 'cookie';
/**
 * Gateway to accounts: the refresh cookie's token. Accounts to gateway: the token the cookie should hold
 * next. Internal: the gateway never accepts it from clients nor sends it to them.
 */
export const REFRESH_TOKEN_HEADER = 'x-session-refresh-token';
/** Accounts to gateway: the cookie's Max-Age in seconds; `0` clears it. */
export const REFRESH_MAX_AGE_HEADER = 'x-session-refresh-max-age';
