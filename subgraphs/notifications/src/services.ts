import type { Db, IndexDescription } from 'mongodb';
import { createCircuit } from './delivery/circuit.js';
import type { DeliverySettings } from './delivery/delivery.worker.js';
import { createAggregateVersions } from './events/aggregate-versions.js';
import { FANOUT_JOBS, createFanOutRepository, fanOutIndexes } from './fanout/fanout.repository.js';
import { NOTIFICATIONS, createNotificationRepository, notificationIndexes } from './notifications/notification.repository.js';
import { createNotificationService } from './notifications/notification.service.js';
import { USERS, createUserRepository, userIndexes } from './users/user.repository.js';

/** The indexes of every collection notifications owns, by collection (ensured once at start). */
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
 * The one place notifications builds its repositories and services, once per app: the GraphQL
 * server, the consumer, the fan-out runner, the delivery worker, tests and benches all take what
 * this returns.
 */
export function createNotificationsServices(db: Db, { delivery = {}, onRequeued }: NotificationsServicesOptions = {}) {
  const repositories = {
    notifications: createNotificationRepository(db),
    users: createUserRepository(db),
    fanOutJobs: createFanOutRepository(db),
    versions: createAggregateVersions(db),
    // One circuit: the delivery workers trip and probe it, the admin API reads it.
    circuit: createCircuit(db, {
      probeMs: delivery.circuitProbeMs ?? 5_000,
      probeMaxMs: delivery.circuitProbeMaxMs ?? 60_000,
    }),
  };
  const services = {
    notifications: createNotificationService({
      users: repositories.users,
      notifications: repositories.notifications,
      circuit: repositories.circuit,
      ...(onRequeued ? { onRequeued } : {}),
    }),
  };
  return { repositories, services, indexes: notificationsIndexes };
}

export type NotificationsServices = ReturnType<typeof createNotificationsServices>;
export type NotificationsRepositories = NotificationsServices['repositories'];
