import { randomUUID } from 'node:crypto';
import type { Db, ObjectId } from 'mongodb';
import { createLeases, createWakeup } from '@little-ecom/events';
import type { Logger } from '@little-ecom/logger';
import {
  DELIVERY_LEASES,
  type NotificationDocument,
  type NotificationRepository,
} from '../notifications/notification.repository.js';
import { isPermanentSmtpError, type Mailer } from './mailer.js';

export interface DeliverySettings {
  concurrency: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  pollIntervalMs: number;
}

export interface DeliveryWorker {
  /** Looks for due notifications now (called after recording new ones). */
  notify(): void;
  stop(): Promise<void>;
}

/** Exponential backoff: base, 2×base, 4×base … capped, with ±20% jitter so retries spread out. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Sends recorded notifications with bounded concurrency. Each send holds a lease on its
 * notification, so replicas never send the same one at once; the outcome (SENT, a retry time, or
 * FAILED with the error) is stored after every attempt, so a restart resumes where it stopped.
 */
export function startDeliveryWorker(deps: {
  db: Db;
  repository: NotificationRepository;
  mailer: Mailer;
  logger: Logger;
  settings: DeliverySettings;
}): DeliveryWorker {
  const { repository, mailer, settings } = deps;
  const log = deps.logger;
  const leases = createLeases(deps.db, DELIVERY_LEASES, `delivery-${randomUUID()}`, 60_000);
  const inFlight = new Map<string, { id: ObjectId; done: Promise<void> }>();
  const wakeup = createWakeup();
  const notify = () => wakeup.wake();

  async function deliver(n: NotificationDocument): Promise<void> {
    const attempts = n.attempts + 1;
    const fields = {
      notificationId: n._id.toHexString(),
      notificationKind: n.kind,
      eventId: n.eventId,
      requestId: n.correlationId,
      attempts,
    };
    try {
      await mailer.send({
        to: n.to,
        subject: n.subject,
        text: n.text ?? '',
        html: n.html ?? '',
        messageId: `<${n._id.toHexString()}@little-ecom>`,
        correlationId: n.correlationId,
      });
    } catch (error) {
      const lastError = describe(error);
      if (isPermanentSmtpError(error) || attempts >= settings.maxAttempts) {
        await repository.markFailed(n._id, attempts, lastError);
        log.error('notification failed', { ...fields, deliveryStatus: 'FAILED', errorCode: 'SMTP_ERROR', err: error });
      } else {
        const next = new Date(Date.now() + retryDelay(attempts, settings.retryBaseMs, settings.retryMaxDelayMs));
        await repository.markRetry(n._id, attempts, lastError, next);
        log.warn('notification retry scheduled', {
          ...fields,
          deliveryStatus: 'PENDING',
          errorCode: 'SMTP_ERROR',
          err: lastError,
        });
      }
      return;
    }
    await repository.markSent(n._id, attempts);
    log.info('notification sent', { ...fields, deliveryStatus: 'SENT' });
  }

  async function start(id: ObjectId): Promise<void> {
    const key = id.toHexString();
    if (!(await leases.acquire(key))) return;
    const done = (async () => {
      try {
        // Re-read under the lease: another replica may have sent it since our query.
        const fresh = await repository.findById(id);
        if (fresh?.status === 'PENDING' && fresh.nextAttemptAt <= new Date()) await deliver(fresh);
      } catch (error) {
        log.error('delivery attempt crashed', { notificationId: key, err: error });
      } finally {
        await leases.release(key).catch(() => undefined);
        inFlight.delete(key);
        notify();
      }
    })();
    inFlight.set(key, { id, done });
  }

  // Due ids are fetched in batches of several rounds of sends and handed out from memory: each
  // query scans the pending notifications, which on FerretDB costs far more than a send. Ids gone
  // stale meanwhile (sent by another replica) are skipped by the re-read under the lease.
  let queue: ObjectId[] = [];
  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let wait = settings.pollIntervalMs;
      try {
        if (queue.length === 0 && inFlight.size < settings.concurrency) {
          const running = [...inFlight.values()].map((f) => f.id);
          queue = await repository.due(new Date(), running, settings.concurrency * 10);
        }
        while (queue.length > 0 && inFlight.size < settings.concurrency && !wakeup.stopped) {
          const id = queue.shift()!;
          if (!inFlight.has(id.toHexString())) await start(id);
        }
        if (queue.length === 0 && inFlight.size === 0) {
          // Nothing to do now: sleep until the next retry is due (or a wake-up).
          const next = await repository.nextDueAt([]);
          if (next) wait = Math.min(wait, Math.max(0, next.getTime() - Date.now()));
        }
      } catch (error) {
        queue = [];
        log.warn('delivery pass failed, will retry', { err: error });
      }
      // At least a few ms: a due notification another replica holds must not make this a busy loop.
      await wakeup.sleep(Math.max(wait, 20));
    }
  })();

  return {
    notify,
    async stop() {
      wakeup.stop();
      await loop;
      await Promise.all([...inFlight.values()].map((f) => f.done));
    },
  };
}
