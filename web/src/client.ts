import { Client, cacheExchange, fetchExchange, mapExchange } from '@urql/core';
import { errorCode } from './errors.js';
import { accessToken, getSession, refresh } from './session.js';
import { graphqlUrl, requestInit } from './transport.js';

/**
 * The page's GraphQL client. Its document cache is the store for server data; one client per
 * signed-in user (see main.tsx), so one user's cached cart never shows to the next.
 */
export function createGraphqlClient(): Client {
  return new Client({
    url: graphqlUrl,
    // POST JSON only: the gateway's CSRF prevention refuses simple GET requests.
    preferGetMethod: false,
    fetchOptions: () => requestInit(accessToken()),
    exchanges: [
      mapExchange({
        onError(error) {
          // An access token the server no longer accepts (session ended elsewhere, key rotated):
          // try the cookie once; if that fails too, the session store turns anonymous.
          if (errorCode(error).code === 'UNAUTHENTICATED' && getSession().status === 'authenticated') void refresh();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
