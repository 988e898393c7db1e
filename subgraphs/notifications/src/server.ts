import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { TokenVerifier } from '@little-ecom/auth';
import { apolloDefaults, type IncomingRequestInfo } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
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

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface ServerDeps {
  db: Db;
  verifier: TokenVerifier;
  logger: Logger;
  production: boolean;
  /** Wakes the delivery worker after an admin retry (see runtime.ts); otherwise it notices on its next poll. */
  wakeDelivery?: () => void;
}

/** The GraphQL side of the notifications subgraph, from its dependencies: no env reads, no listening (see app.ts). */
export function createServer({ db, verifier, logger, production, wakeDelivery }: ServerDeps) {
  const notifications = createNotificationService({
    users: createUserRepository(db),
    notifications: createNotificationRepository(db),
    // Only read here (deliveryState); the probe timing belongs to the delivery workers.
    circuit: createCircuit(db, { probeMs: 5_000, probeMaxMs: 60_000 }),
    ...(wakeDelivery ? { onRequeued: wakeDelivery } : {}),
  });
  const apollo = new ApolloServer<NotificationsContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: { Query, Mutation, User, Notification } }),
    ...apolloDefaults<NotificationsContext>({ production, logger }),
  });
  const context = (info: IncomingRequestInfo) => createContext({ notifications, verifier, logger }, info);
  return { apollo, context, services: { notifications } };
}
