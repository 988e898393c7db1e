import type { Db, IndexDescription } from 'mongodb';
import { createCircuit } from './delivery/circuit.js';
import type { DeliverySettings } from './delivery/delivery.worker.js';
import { createAggregateVersions } from './events/aggregate-versions.js';
import { FANOUT_JOBS, createFanOutRepository, fanOutIndexes } from './fanout/fanout.repository.js';
import { NOTIFICATIONS, createNotificationRepository, notificationIndexes } from './notifications/notification.repository.js';
import { createNotificationService } from './notifications/notification.service.js';
import { createAwaitingUserRepository } from './users/awaiting-user.repository.js';
import { USERS, createUserRepository, userIndexes } from './users/user.repository.js';

/** Every index notifications needs, per collection, for `ensureIndexes` at start-up. */
export const notificationsIndexes: Record<string, IndexDescription[]> = {
  [NOTIFICATIONS]: notificationIndexes,
  [USERS]: userIndexes,
  [FANOUT_JOBS]: fanOutIndexes,
};

export interface NotificationsServicesOptions {
  /** The SMTP circuit's probe timing; by default 5 s, doubling up to 60 s. */
  delivery?: Pick<DeliverySettings, 'circuitProbeMs' | 'circuitProbeMaxMs'>;
  /** Wakes the delivery worker after an admin retry; without it the worker notices on its next poll. */
  onRequeued?: () => void;
}

/**
 * The one place notifications builds its repositories and services: the app hands them to the
 * server (GraphQL) and to the workers (consumer, fan-out runner, delivery worker); fixtures, the CLI,
 * tests and benches use what this built.
 */
export function createServices(db: Db, { delivery = {}, onRequeued }: NotificationsServicesOptions = {}) {
  const repositories = {
    notifications: createNotificationRepository(db),
    users: createUserRepository(db),
    awaitingUser: createAwaitingUserRepository(db),
    fanOutJobs: createFanOutRepository(db),
    versions: createAggregateVersions(db),
    // One circuit: the delivery workers trip and probe it, the admin API reads it.
    circuit: createCircuit(db, {
      probeMs: delivery.circuitProbeMs ?? 5_000,
      probeMaxMs: delivery.circuitProbeMaxMs ?? 60_000,
    }),
  };
  return {
    indexes: notificationsIndexes,
    repositories,
    notifications: createNotificationService({
      users: repositories.users,
      notifications: repositories.notifications,
      circuit: repositories.circuit,
      ...(onRequeued ? { onRequeued } : {}),
    }),
  };
}

export type NotificationsServices = ReturnType<typeof createServices>;
export type NotificationsRepositories = NotificationsServices['repositories'];
