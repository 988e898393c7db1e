import type { RetentionRule } from '@little-ecom/coordination';
import { AGGREGATE_VERSIONS } from './events/aggregate-versions.js';
import { NOTIFICATIONS } from './notifications/notification.repository.js';
import { AWAITING_USER } from './users/awaiting-user.repository.js';

/** How long finished notifications and version records are kept (config.ts: *_RETENTION_DAYS). */
export interface RetentionAges {
  notificationsMs: number;
  aggregateVersionsMs: number;
}

/** What the retention sweep deletes in notifications' database. */
export const retentionRules = (ages: RetentionAges): RetentionRule[] => [
  {
    // Never a PENDING one: it is still to be sent. `updatedAt`: an admin retry starts the clock again.
    collection: NOTIFICATIONS,
    expired: (now) => ({
      status: { $in: ['SENT', 'CANCELLED', 'FAILED'] },
      updatedAt: { $lt: new Date(now.getTime() - ages.notificationsMs) },
    }),
  },
  {
    // Versions and once-per-day marks: only stale reordering could still need them, long after.
    collection: AGGREGATE_VERSIONS,
    expired: (now) => ({ updatedAt: { $lt: new Date(now.getTime() - ages.aggregateVersionsMs) } }),
  },
  {
    // Order emails whose user was never projected, past their wait (ORDER_EMAIL_AWAIT_USER_HOURS).
    collection: AWAITING_USER,
    expired: (now) => ({ giveUpAt: { $lt: now } }),
  },
];
