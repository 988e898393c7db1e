import type { Db } from 'mongodb';
import { brokerReadiness, type AmqpConnection } from '@little-ecom/amqp';
import { createServiceVerifier, gatewayCallers, loadGatewayKey, type TokenVerifier } from '@little-ecom/auth';
import { loadSecretBox, type ConsumerTopology, type SecretBox } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, serviceMetrics } from '@little-ecom/mongo';
import type { ServiceApp, Worker } from '@little-ecom/service';
import type { NotificationsConfig } from './config.js';
import type { NotificationsContext } from './context.js';
import { notificationsTopology } from './events/topology.js';
import { ensureNotificationIndexes, startNotificationsRuntime } from './runtime.js';
import { createServer } from './server.js';

export interface NotificationsAppDeps {
  db: Db;
  logger: Logger;
  /** The event consumer and the delivery worker run only with a broker connection (API-only tests pass none). */
  amqp?: AmqpConnection;
  /** Checks access tokens; by default against the accounts JWKS and revocation feed named in the config. */
  verifier?: TokenVerifier;
  /**
   * The key gateway requests are signed with; by default from the config (GATEWAY_KEY or the
   * development file). `null` serves GraphQL to any caller: only for tests of this subgraph alone.
   */
  gatewayKey?: Buffer | null;
  /** Opens the sealed reset token to render its email; by default from EVENT_SECRETS_KEY (or the development key file). */
  eventSecrets?: SecretBox;
}

export interface NotificationsApp extends ServiceApp<NotificationsContext> {
  /** The exchange and queues it consumes from (prefixed by AMQP_PREFIX). */
  topology: ConsumerTopology;
  services: ReturnType<typeof createServer>['services'];
  /** True while the event consumer is paused because the database is unreachable (also in /readyz). */
  consumerPaused(): boolean;
}

/** The whole notifications subgraph, from its config and connections: what main, tests and benches run. */
export async function createNotificationsApp(config: NotificationsConfig, deps: NotificationsAppDeps): Promise<NotificationsApp> {
  const { db, logger, amqp } = deps;
  await ensureNotificationIndexes(db);
  const gatewayKey = deps.gatewayKey === undefined ? loadGatewayKey(config.gatewayKey) : deps.gatewayKey;
  // Ended sessions are polled from accounts (docs/auth.md, "Ending sessions everywhere").
  const service = deps.verifier ? undefined : createServiceVerifier(config.jwt, logger);
  const topology = notificationsTopology(config.events.prefix, config.events.retry);
  const metrics = serviceMetrics(db);
  // Set once the workers run; until then a retried notification waits for the delivery worker's first poll.
  let wakeDelivery = (): void => undefined;
  let consumerPaused = (): boolean => false;
  const server = createServer({
    db,
    verifier: deps.verifier ?? service!.verifier,
    logger,
    production: config.production,
    limits: config.limits,
    wakeDelivery: () => wakeDelivery(),
  });
  return {
    name: config.service,
    topology,
    services: server.services,
    consumerPaused: () => consumerPaused(),
    http: {
      apollo: server.apollo,
      context: server.context,
      metrics,
      // GraphQL only from the gateway, which also vouches for the client address.
      ...(gatewayKey ? { authorizeCaller: gatewayCallers(gatewayKey) } : {}),
      readiness: [
        databaseReadiness(db),
        // Detail only: without RabbitMQ the API still serves; events wait in the producers' outboxes.
        ...(amqp ? [brokerReadiness(amqp)] : []),
        {
          name: 'event-consumer',
          informational: true,
          check: async () => {
            if (consumerPaused()) throw new Error('paused: database unreachable');
          },
        },
      ],
    },
    start(): Worker[] {
      const revocations: Worker[] = service ? [{ name: 'revocations', stop: async () => service.revocations.stop() }] : [];
      if (!amqp) return revocations;
      const runtime = startNotificationsRuntime({
        db,
        connection: amqp,
        topology,
        logger,
        consumer: config.events.consumer,
        delivery: config.delivery,
        mail: config.mail,
        eventSecrets: deps.eventSecrets ?? loadSecretBox(config.eventSecrets),
        metrics,
      });
      wakeDelivery = () => runtime.wakeDelivery();
      consumerPaused = () => runtime.consumerPaused();
      return [...revocations, { name: 'events', stop: () => runtime.stop() }];
    },
  };
}
