import type { Db } from 'mongodb';
import { counter, gauge, type Metrics } from '@little-ecom/telemetry';
import { NOTIFICATIONS, type DeliveryOutcome } from '../notifications/notification.repository.js';

/** Email delivery as metrics: outcomes by kind (and error kind), and the oldest email still waiting. */
export function deliveryMetrics(metrics: Metrics | undefined, db: Db) {
  if (!metrics) return { outcome: () => undefined };
  const sent = counter(metrics, 'emails_sent_total', 'Emails the SMTP server accepted', ['kind']);
  const retried = counter(metrics, 'emails_retried_total', 'Send attempts that failed and will be retried', ['kind', 'error']);
  const failed = counter(metrics, 'emails_failed_total', 'Emails given up on (FAILED)', ['kind', 'error']);
  gauge(metrics, 'emails_oldest_pending_age_seconds', 'Age of the oldest email not sent yet (0 when none)', [], async (g) => {
    const [oldest] = await db
      .collection(NOTIFICATIONS)
      .find({ status: 'PENDING' }, { projection: { createdAt: 1 } })
      .sort({ createdAt: 1 })
      .limit(1)
      .toArray();
    const createdAt = oldest?.['createdAt'] as Date | undefined;
    g.set(createdAt ? Math.max(0, (Date.now() - createdAt.getTime()) / 1000) : 0);
  });
  return {
    outcome(kind: string, result: DeliveryOutcome['result'], error = 'unknown') {
      if (result === 'SENT') sent.inc({ kind });
      else if (result === 'RETRY') retried.inc({ kind, error });
      else if (result === 'FAILED') failed.inc({ kind, error });
    },
  };
}
