import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
import { createContext, type NotificationsContext } from './context.js';
import type { NotificationService } from './notifications/notification.service.js';
import { Mutation } from './resolvers/Mutation.js';
import { Notification } from './resolvers/Notification.js';
import { Query } from './resolvers/Query.js';
import { User } from './resolvers/User.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  /** Built by `createServices` (services.ts); the server builds none of its own. */
  notifications: NotificationService;
  verifier: TokenVerifier;
}

/** The GraphQL side of the notifications subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ notifications, verifier, ...options }: ServerDeps) {
  const apollo = subgraphApollo<NotificationsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Notification } }),
    options,
  );
  const context = (info: IncomingRequestInfo) => createContext({ notifications, verifier, logger: options.logger }, info);
  return { apollo, context };
}
