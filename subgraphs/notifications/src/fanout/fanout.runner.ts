import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createLeases, createWakeup } from '@little-ecom/coordination';
import type { SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import { withTraceContext } from '@little-ecom/telemetry';
import type { NewNotification, NotificationRepository } from '../notifications/notification.repository.js';
import { renderEmail } from '../notifications/templates/registry.js';
import type { UserRepository } from '../users/user.repository.js';
import { FANOUT_LEASES, type FanOutJobDocument, type FanOutRepository } from './fanout.repository.js';

export interface FanOutSettings {
  /** Recipients per page: one query and one insert each. */
  pageSize: number;
  /** Jobs worked on at once by one runner (each under its own lease). */
  concurrency: number;
  pollIntervalMs: number;
  /** How long a job's lease holds without a renewal; renewed after every page. */
  leaseMs: number;
}

export const DEFAULT_FANOUT_SETTINGS: FanOutSettings = { pageSize: 500, concurrency: 4, pollIntervalMs: 1_000, leaseMs: 60_000 };

/** What a fan-out is about: the event, the kind of email and the product. */
export type FanOutSubject = Pick<FanOutJobDocument, 'eventId' | 'correlationId' | 'kind' | 'product'>;

/** The notifications of one page of recipients: templates' input only, no bodies. */
export function fanOutBatch(
  subject: FanOutSubject,
  page: { _id: string; email?: string; name?: string }[],
  storefrontUrl: string,
  secrets: SecretBox,
): NewNotification[] {
  // The subject is the same for every recipient: rendered once.
  const line = renderEmail({ kind: subject.kind, name: '', product: subject.product }, storefrontUrl, secrets).subject;
  return page.map((user) => ({
    eventId: subject.eventId,
    recipientId: user._id,
    kind: subject.kind,
    correlationId: subject.correlationId,
    to: user.email!,
    productId: subject.product.productId,
    subject: line,
    input: { kind: subject.kind, name: user.name ?? '', product: subject.product },
  }));
}

export interface FanOutRunner {
  notify(): void;
  stop(): Promise<void>;
}

/**
 * Works through the recorded fan-out jobs: each page of opted-in users becomes one batch of
 * notifications (templates' input only, no bodies), then the cursor moves. A job is held by one
 * runner at a time (a lease, renewed after every page), so replicas share jobs, not pages; one
 * runner works on `concurrency` jobs at once. A runner that lost a job's lease (it stalled past
 * `leaseMs`) stops working on it; the page it may still record twice is absorbed by the unique index.
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
  const leases = createLeases(deps.db, FANOUT_LEASES, `fanout-${randomUUID()}`, settings.leaseMs);
  const wakeup = createWakeup();

  async function run(job: FanOutJobDocument): Promise<void> {
    if (!(await leases.acquire(job._id))) return;
    try {
      let cursor = job.cursor;
      for (;;) {
        if (wakeup.stopped) return;
        const page = await users.optedInPage(job.preference, cursor, settings.pageSize);
        const added =
          page.length > 0
            ? await withTraceContext(job.trace, () =>
                notifications.record(fanOutBatch(job, page, deps.storefrontUrl, deps.secrets)),
              )
            : 0;
        if (added > 0) deps.onRecorded();
        if (page.length > 0) cursor = page.at(-1)!._id;
        if (page.length < settings.pageSize) {
          // The last page: cursor, count and status in one write (a cancelled job stays cancelled).
          await jobs.finish(job._id, cursor ? { cursor, added } : undefined);
          log.info('fan-out done', { eventId: job.eventId, requestId: job.correlationId, notificationKind: job.kind });
          return;
        }
        const moved = await jobs.advance(job._id, cursor!, added);
        // Cancelled meanwhile (the product was deleted): stop here.
        if (moved.matchedCount === 0) return;
        if (!(await leases.renew(job._id))) {
          log.warn('fan-out lease lost, leaving the job to its new holder', { eventId: job.eventId, errorCode: 'LEASE_LOST' });
          return;
        }
      }
    } finally {
      await leases.release(job._id).catch(() => undefined);
    }
  }

  /** One pass over the running jobs, `concurrency` at a time; true when there may be more. */
  async function pass(): Promise<boolean> {
    const limit = settings.concurrency * 4;
    const running = await jobs.running(limit);
    let next = 0;
    const lane = async () => {
      while (next < running.length && !wakeup.stopped) await run(running[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, running.length) }, lane));
    return running.length === limit;
  }

  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let more = false;
      try {
        more = await pass();
      } catch (error) {
        log.warn('fan-out pass failed, will retry', { err: error });
      }
      if (!more) await wakeup.sleep(settings.pollIntervalMs);
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
