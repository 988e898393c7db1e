import type { Db } from 'mongodb';
import { startRetentionSweep, type RetentionSettings } from '@little-ecom/coordination';
import type { AmqpConnection } from '@little-ecom/amqp';
import { startEventConsumer, type ConsumerSettings, type ConsumerTopology } from '@little-ecom/events';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import { pingDatabase } from '@little-ecom/mongo';
import type { Metrics } from '@little-ecom/telemetry';
import { startDeliveryWorker, templateRenderer, type DeliverySettings } from './delivery/delivery.worker.js';
import { createMailer, type Mailer } from './delivery/mailer.js';
import { createEventHandler } from './events/event.handler.js';
import { DEFAULT_FANOUT_SETTINGS, startFanOutRunner, type FanOutSettings } from './fanout/fanout.runner.js';
import { retentionRules, type RetentionAges } from './retention.js';
import { AWAITING_USER } from './users/awaiting-user.repository.js';

const DAY_MS = 24 * 60 * 60_000;
import type { NotificationsRepositories } from './services.js';

export interface RuntimeDeps {
  db: Db;
  /** Built by `createServices` (services.ts), shared with the GraphQL server. */
  repositories: NotificationsRepositories;
  connection: AmqpConnection;
  topology: ConsumerTopology;
  logger: Logger;
  consumer: ConsumerSettings;
  delivery: DeliverySettings;
  mail: { smtpUrl: string; from: string; maxConnections: number; storefrontUrl: string };
  /** Fan-out paging; defaults: 500 recipients per page, a 1 s poll. */
  fanOut?: Partial<FanOutSettings>;
  /** Opens the reset token sealed by accounts; by default the development key file both share. */
  eventSecrets?: SecretBox;
  /** The service's metrics (consumer and delivery). */
  metrics?: Metrics;
  /** How long an order email waits for its user's projection (default a day). */
  awaitUserMs?: number;
  /** What is deleted when (see config.ts); without it nothing is. */
  retention?: RetentionSettings & RetentionAges;
}

export interface NotificationsRuntime {
  /** Wakes the delivery worker (after an admin retry: the notification service's `onRequeued`). */
  wakeDelivery(): void;
  /** True while the event consumer is paused because the database is unreachable. */
  consumerPaused(): boolean;
  /** Why the broker refused the consumer's queue or subscription, while it does (see EventConsumer.refused). */
  consumerRefused(): string | null;
  stop(): Promise<void>;
}

/**
 * The event side of the subgraph, in the same process as the GraphQL server: the consumer that
 * records notifications and the worker that sends them.
 */
export function startNotificationsRuntime(deps: RuntimeDeps): NotificationsRuntime {
  const { notifications, users, awaitingUser, fanOutJobs, versions, circuit } = deps.repositories;
  const secrets = deps.eventSecrets ?? loadSecretBox({});
  const mailer: Mailer = createMailer(deps.mail);
  const worker = startDeliveryWorker({
    db: deps.db,
    repository: notifications,
    circuit,
    mailer,
    logger: deps.logger,
    settings: deps.delivery,
    render: templateRenderer(deps.mail.storefrontUrl, secrets),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const fanOutSettings = { ...DEFAULT_FANOUT_SETTINGS, ...deps.fanOut };
  const runner = startFanOutRunner({
    db: deps.db,
    jobs: fanOutJobs,
    users,
    notifications,
    logger: deps.logger,
    storefrontUrl: deps.mail.storefrontUrl,
    secrets,
    settings: fanOutSettings,
    onRecorded: () => worker.notify(),
  });
  const handle = createEventHandler({
    users,
    awaitingUser,
    awaitUserMs: deps.awaitUserMs ?? DAY_MS,
    fanOutJobs,
    fanOutPageSize: fanOutSettings.pageSize,
    onFanOut: () => runner.notify(),
    versions,
    logger: deps.logger,
    notifications,
    storefrontUrl: deps.mail.storefrontUrl,
    secrets,
    onRecorded: () => worker.notify(),
  });
  const consumer = startEventConsumer({
    connection: deps.connection,
    topology: deps.topology,
    handle,
    // The consumer pauses while this fails, instead of spending retries on a database outage.
    probe: pingDatabase(deps.db),
    logger: deps.logger,
    settings: deps.consumer,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const retention = deps.retention;
  const sweeper = retention
    ? startRetentionSweep({
        db: deps.db,
        leaseCollection: 'retention_leases',
        settings: retention,
        rules: retentionRules(retention),
        onSwept: (deleted) => {
          if (Object.values(deleted).some((n) => n > 0)) deps.logger.info('retention sweep', { deleted });
          // Lost emails, visibly: their customer's user.registered never arrived (docs/events.md).
          if (deleted[AWAITING_USER])
            deps.logger.error('order emails given up: their user was never projected', { users: deleted[AWAITING_USER] });
        },
        onError: (error) => deps.logger.warn('retention sweep failed, will retry', { err: error }),
      })
    : null;
  return {
    wakeDelivery: () => worker.notify(),
    consumerPaused: () => consumer.paused(),
    consumerRefused: () => consumer.refused(),
    async stop() {
      await consumer.stop();
      await runner.stop();
      await worker.stop();
      await sweeper?.stop();
      mailer.close();
    },
  };
}
