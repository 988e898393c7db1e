import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createLeases, createWakeup, type SecretBox } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import { withTraceContext } from '@little-ecom/telemetry';
import type { NewNotification, NotificationRepository } from '../notifications/notification.repository.js';
import { renderEmail } from '../notifications/templates/registry.js';
import type { UserRepository } from '../users/user.repository.js';
import { FANOUT_LEASES, type FanOutJobDocument, type FanOutRepository } from './fanout.repository.js';

export interface FanOutSettings {
  /** Recipients per page: one query and one insert each. */
  pageSize: number;
  pollIntervalMs: number;
}

export interface FanOutRunner {
  notify(): void;
  stop(): Promise<void>;
}

/**
 * Works through the recorded fan-out jobs: each page of opted-in users becomes one batch of
 * notifications (templates' input only, no bodies), then the cursor moves. A job is held by one
 * runner at a time (a lease, renewed per page by re-acquiring), so replicas share jobs, not pages.
 */
export function startFanOutRunner(deps: {
  db: Db;
  jobs: FanOutRepository;
  users: UserRepository;
  notifications: NotificationRepository;
  logger: Logger;
  storefrontUrl: string;
  secrets: SecretBox;
  settings: FanOutSettings;
  /** Called after a page was recorded, to wake the delivery worker. */
  onRecorded: () => void;
}): FanOutRunner {
  const { jobs, users, notifications, settings } = deps;
  const log = deps.logger;
  const leases = createLeases(deps.db, FANOUT_LEASES, `fanout-${randomUUID()}`, 60_000);
  const wakeup = createWakeup();

  async function run(job: FanOutJobDocument): Promise<void> {
    if (!(await leases.acquire(job._id))) return;
    try {
      let cursor = job.cursor;
      for (;;) {
        if (wakeup.stopped) return;
        const page = await users.optedInPage(job.preference, cursor, settings.pageSize);
        if (page.length > 0) {
          // The subject is the same for every recipient of a job: rendered once.
          const subject = renderEmail(
            { kind: job.kind, name: '', product: job.product },
            deps.storefrontUrl,
            deps.secrets,
          ).subject;
          const batch: NewNotification[] = page.map((user) => ({
            eventId: job.eventId,
            recipientId: user._id,
            kind: job.kind,
            correlationId: job.correlationId,
            to: user.email!,
            productId: job.product.productId,
            subject,
            input: { kind: job.kind, name: user.name ?? '', product: job.product },
          }));
          const added = await withTraceContext(job.trace, () => notifications.record(batch));
          if (added > 0) deps.onRecorded();
          cursor = page.at(-1)!._id;
          const moved = await jobs.advance(job._id, cursor, added);
          // Cancelled meanwhile (the product was deleted): stop here.
          if (moved.matchedCount === 0) return;
        }
        if (page.length < settings.pageSize) {
          await jobs.finish(job._id);
          log.info('fan-out done', { eventId: job.eventId, requestId: job.correlationId, notificationKind: job.kind });
          return;
        }
      }
    } finally {
      await leases.release(job._id).catch(() => undefined);
    }
  }

  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      try {
        for (const job of await jobs.running(10)) await run(job);
      } catch (error) {
        log.warn('fan-out pass failed, will retry', { err: error });
      }
      await wakeup.sleep(settings.pollIntervalMs);
    }
  })();

  return {
    notify: () => wakeup.wake(),
    async stop() {
      wakeup.stop();
      await loop;
    },
  };
}
