/**
 * How every request reaches the API: same-origin POST to /graphql (the dev server and production
 * route it to the gateway), the session cookie sent by the browser, the bearer token from memory.
 * `x-session-transport: cookie` asks the server to keep the refresh token in its HttpOnly cookie.
 */
export const graphqlUrl = '/graphql';

export function requestInit(accessToken: string | null): RequestInit {
  const headers: Record<string, string> = { 'x-session-transport': 'cookie' };
  if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
  return { credentials: 'same-origin', headers };
}
