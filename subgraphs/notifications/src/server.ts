import { buildSubgraphSchema } from '@apollo/subgraph';
import type { TokenVerifier } from '@little-ecom/auth';
import { readTypeDefs, subgraphApollo, type IncomingRequestInfo, type SubgraphApolloOptions } from '@little-ecom/http';
import type { Db } from 'mongodb';
import { createCircuit } from './delivery/circuit.js';
import { createContext, type NotificationsContext } from './context.js';
import { createNotificationRepository } from './notifications/notification.repository.js';
import { createNotificationService } from './notifications/notification.service.js';
import { Mutation } from './resolvers/Mutation.js';
import { Notification } from './resolvers/Notification.js';
import { Query } from './resolvers/Query.js';
import { User } from './resolvers/User.js';
import { createUserRepository } from './users/user.repository.js';

const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

export interface ServerDeps extends SubgraphApolloOptions {
  db: Db;
  verifier: TokenVerifier;
  /** Wakes the delivery worker after an admin retry (see runtime.ts); otherwise it notices on its next poll. */
  wakeDelivery?: () => void;
}

/** The GraphQL side of the notifications subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ db, verifier, wakeDelivery, ...options }: ServerDeps) {
  const notifications = createNotificationService({
    users: createUserRepository(db),
    notifications: createNotificationRepository(db),
    // Only read here (deliveryState); the probe timing belongs to the delivery workers.
    circuit: createCircuit(db, { probeMs: 5_000, probeMaxMs: 60_000 }),
    ...(wakeDelivery ? { onRequeued: wakeDelivery } : {}),
  });
  const apollo = subgraphApollo<NotificationsContext>(
    buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Notification } }),
    options,
  );
  const context = (info: IncomingRequestInfo) => createContext({ notifications, verifier, logger: options.logger }, info);
  return { apollo, context, services: { notifications } };
}
