import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
import { createContext, type NotificationsContext } from './context.js';
import { Mutation } from './resolvers/Mutation.js';
import { Notification } from './resolvers/Notification.js';
import { Query } from './resolvers/Query.js';
import { User } from './resolvers/User.js';
import type { NotificationsServices } from './services.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  /** Built once by createNotificationsServices; the resolvers reach them through the context. */
  services: NotificationsServices['services'];
  verifier: TokenVerifier;
}

/** The GraphQL side of the notifications subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ services, verifier, ...options }: ServerDeps) {
  const apollo = subgraphApollo<NotificationsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Notification } }),
    options,
  );
  const context = (info: IncomingRequestInfo) => createContext({ ...services, verifier, logger: options.logger }, info);
  return { apollo, context };
}
