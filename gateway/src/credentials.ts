import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Longest bearer token the gateway forwards: what the subgraphs accept (`authenticate` in
 * @little-ecom/auth). Access tokens are well under 1 KB; anything longer only fills the subgraph
 * request's headers, which the gateway adds to, past the subgraphs' 16 KiB limit.
 */
export const MAX_BEARER_TOKEN_CHARS = 8192;

const BEARER = /^Bearer ([A-Za-z0-9\-_.]+)$/;

/**
 * Refuses an Authorization header the subgraphs could never accept (another scheme, a token that is no
 * JWT's characters, or an oversized one) at the edge, with 401 UNAUTHENTICATED; a well-formed token is
 * left to the subgraphs to verify. Throws from the gateway's context, before any subgraph is called.
 */
export function checkCredentials(authorization: string | undefined): void {
  if (authorization === undefined) return;
  const token = BEARER.exec(authorization.trim())?.[1];
  if (token !== undefined && token.length <= MAX_BEARER_TOKEN_CHARS) return;
  // Apollo reads `http.headers` as its HeaderMap; typed loosely, as other libraries declare the field too.
  const extensions: Record<string, unknown> = {
    code: 'UNAUTHENTICATED',
    http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) },
  };
  throw new GraphQLError(token === undefined ? 'Malformed Authorization header' : 'Access token too long', { extensions });
}
