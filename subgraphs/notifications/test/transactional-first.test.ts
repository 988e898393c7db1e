import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import { loadSecretBox } from '@little-ecom/secrets';
import { eventually, freshDatabase, type TestDatabase } from '@little-ecom/testing';
import {
  NOTIFICATIONS,
  createNotificationRepository,
  type NewNotification,
  type NotificationDocument,
} from '../src/notifications/notification.repository.js';
import { mailTo, privateMailpit, startHarness, uniqueEmail, type Harness, type PrivateMailpit } from './support.js';

// A backlog of marketing emails (a big price drop fan-out) must not delay a password reset or an
// order email: those are claimed first. A reset whose link expired while it waited is never sent.
const BACKLOG = 100;

describe('a backlog of marketing emails', () => {
  let mailpit: PrivateMailpit;
  let database: TestDatabase;
  let h: Harness | undefined;
  beforeAll(async () => {
    mailpit = await privateMailpit();
    await mailpit.start();
    database = await freshDatabase('transactional_first');
  });
  afterAll(async () => {
    await h?.close();
    await mailpit?.dispose();
  });

  it('goes out after a reset and an order email recorded later; an expired reset is never sent', async () => {
    const col = database.db.collection<NotificationDocument>(NOTIFICATIONS);
    const minute = 60_000;
    const base = Date.now() - 10 * minute;
    const doc = (kind: NewNotification['kind'], to: string, input: NewNotification['input']): NewNotification => ({
      eventId: randomUUID(),
      recipientId: randomUUID(),
      kind,
      correlationId: randomUUID(),
      to,
      subject: kind,
      input,
    });
    const product = { productId: randomUUID(), slug: 'lamp', name: 'Lamp', price: { amount: 3999, currency: 'EUR' } };
    const marketing = Array.from({ length: BACKLOG }, (_, i) =>
      doc('PRICE_DROP', uniqueEmail(`deal${i}`), {
        kind: 'PRICE_DROP',
        name: `U${i}`,
        product: { ...product, previousPrice: { amount: 4999, currency: 'EUR' } },
      }),
    );
    const sealed = loadSecretBox({}).seal('tok-fresh', RESET_TOKEN_PURPOSE);
    // Recorded after the whole backlog, as they would be during it.
    const reset = doc('PASSWORD_RESET', uniqueEmail('reset'), {
      kind: 'PASSWORD_RESET',
      name: 'R',
      sealedResetToken: sealed,
      expiresAt: new Date(Date.now() + 30 * minute).toISOString(),
    });
    const expired = doc('PASSWORD_RESET', uniqueEmail('expired'), {
      kind: 'PASSWORD_RESET',
      name: 'E',
      sealedResetToken: sealed,
      expiresAt: new Date(Date.now() - minute).toISOString(),
    });
    const welcome = doc('WELCOME', uniqueEmail('welcome'), { kind: 'WELCOME', name: 'W' });
    // Recorded as the event handlers record them, the backlog ten minutes ago, the others after it.
    const repository = createNotificationRepository(database.db);
    await repository.record(marketing, new Date(base));
    await repository.record([reset, expired, welcome], new Date(base + minute));
    const idOf = async (n: NewNotification) => (await col.findOne({ eventId: n.eventId }))!._id;

    // The worker starts on the backlog as it is.
    h = await startHarness({ smtpUrl: mailpit.smtpUrl, database });
    await eventually(async () => ((await col.countDocuments({ status: 'PENDING' })) === 0 ? true : undefined), 60_000);

    const sentAt = async (n: NewNotification) => (await col.findOne({ eventId: n.eventId }))?.sentAt?.getTime() ?? Infinity;
    const resetAt = await sentAt(reset);
    const welcomeAt = await sentAt(welcome);
    const marketingTimes = await Promise.all(marketing.map((m) => sentAt(m)));
    // Claimed in the first batch (at most one batch of marketing can share its send time).
    const before = (t: number) => marketingTimes.filter((m) => m < t).length;
    expect(resetAt).toBeLessThan(Infinity);
    expect(before(resetAt)).toBeLessThan(25);
    expect(before(welcomeAt)).toBeLessThan(25);
    expect(marketingTimes.every((t) => t < Infinity)).toBe(true);
    expect(await mailTo(reset.to, mailpit.apiUrl)).toHaveLength(1);

    // The expired reset: visibly FAILED as EXPIRED, never handed to the SMTP server.
    expect(await col.findOne({ _id: await idOf(expired) })).toMatchObject({
      status: 'FAILED',
      lastErrorKind: 'EXPIRED',
      attempts: 1,
    });
    expect(await mailTo(expired.to, mailpit.apiUrl)).toHaveLength(0);
    expect(h.logs.some((l) => l['msg'] === 'delivery paused')).toBe(false);
  });
});
