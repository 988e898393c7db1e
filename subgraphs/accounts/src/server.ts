import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  readTypeDefs,
  subgraphApollo,
  type IncomingRequestInfo,
  type RouteHandler,
  type SubgraphApolloOptions,
} from '@little-ecom/http';
import { createContext, type AccountsContext } from './context.js';
import { Mutation } from './resolvers/Mutation.js';
import { Query } from './resolvers/Query.js';
import { Session } from './resolvers/Session.js';
import { User } from './resolvers/User.js';
import type { AccountsServices } from './services.js';
import { cookieSessionPlugin } from './sessions/cookie.js';
import { REVOCATIONS_PATH, revocationsRoute } from './sessions/revocation-route.js';
import { jwksRoute } from './tokens/access-token.js';
import type { SigningKeys } from './tokens/signing-keys.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export const JWKS_PATH = '/.well-known/jwks.json';

export interface ServerDeps extends SubgraphApolloOptions {
  /** Built by `createServices` (services.ts); the server builds none of its own. */
  services: AccountsServices;
  /** Published at JWKS_PATH. */
  keys: SigningKeys;
  /** `Cache-Control: max-age` of the JWKS (`config.auth.tokens.jwksMaxAgeSeconds`). */
  jwksMaxAgeSeconds: number;
}

/** The GraphQL side of the accounts subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ services, keys, jwksMaxAgeSeconds, ...options }: ServerDeps) {
  const { accounts, users, sessions, totp, verifier } = services;
  const apollo = subgraphApollo<AccountsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Session } }),
    options,
  );
  // Browser mode: the refresh token the cookie should hold reaches the gateway in headers (sessions/cookie.ts).
  apollo.addPlugin(cookieSessionPlugin<AccountsContext>(services.clock));
  const context = (info: IncomingRequestInfo) =>
    createContext({ accounts, users, sessions, totp, verifier, logger: options.logger }, info);
  const routes: Record<string, RouteHandler> = {
    [JWKS_PATH]: jwksRoute(keys, jwksMaxAgeSeconds),
    [REVOCATIONS_PATH]: revocationsRoute((since) => sessions.revocationFeed(since)),
  };
  return { apollo, context, routes };
}
