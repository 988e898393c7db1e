import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { mailTo, privateMailpit, sleep, startHarness, uniqueEmail, type Harness, type PrivateMailpit } from './support.js';

// A Mailpit of this file's own, so stopping it never disturbs the shared one or other tests.
let mailpit: PrivateMailpit;

beforeAll(async () => {
  mailpit = await privateMailpit();
  await mailpit.start();
});
afterAll(async () => mailpit?.dispose());

const ADMIN = { sub: 'admin-1', role: 'ADMIN' };

async function register(h: Harness, count: number) {
  const users = Array.from({ length: count }, (_, i) => ({
    userId: randomUUID(),
    email: uniqueEmail(`outage${i}`),
    name: `User ${i}`,
    role: 'CUSTOMER',
  }));
  for (const user of users) await h.publisher.publish('user.registered', user);
  return users;
}

describe('SMTP outage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ smtpUrl: mailpit.smtpUrl, delivery: { maxAttempts: 30, retryBaseMs: 150, retryMaxDelayMs: 600 } });
  });
  afterAll(async () => h?.close());

  it('sends every email exactly once after SMTP comes back', async () => {
    await mailpit.stop();
    const users = await register(h, 6);
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    // Every email has been tried and failed at least once while SMTP was down.
    await eventually(
      async () =>
        (await col.countDocuments({ status: 'PENDING', attempts: { $gte: 1 }, lastError: { $exists: true } })) === 6
          ? true
          : undefined,
      15_000,
    );
    expect(h.logs.some((l) => l['msg'] === 'notification retry scheduled' && l['deliveryStatus'] === 'PENDING')).toBe(true);

    await mailpit.start();
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === 6 ? true : undefined), 20_000);
    await sleep(1_000);
    for (const user of users) expect(await mailTo(user.email, mailpit.apiUrl)).toHaveLength(1);
    expect(await col.countDocuments({ status: { $ne: 'SENT' } })).toBe(0);
  });
});

describe('failed notifications', () => {
  let h: Harness;
  beforeAll(async () => {
    // An email fails only for reasons of its own, after the attempts and the retry window (both
    // compressed here); an outage never fails one (see smtp-faults.test.ts).
    h = await startHarness({
      smtpUrl: mailpit.smtpUrl,
      delivery: { maxAttempts: 2, retryBaseMs: 100, retryMaxDelayMs: 100, retryWindowMs: 1 },
    });
  });
  afterAll(async () => h?.close());

  const FAILED = `query { failedNotifications(first: 10) { totalCount edges { node { id kind status attempts lastError } } } }`;
  const RETRY = `mutation($id: ID!) { retryNotification(id: $id) { id status attempts } }`;

  it('marks an email FAILED after the configured attempts, and an admin can send it again', async () => {
    // The server refuses every recipient for now (451): an error about the email, not an outage.
    await mailpit.stop();
    await mailpit.start(['--chaos-triggers', 'Recipient:451:100']);
    const [user] = await register(h, 1);
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    const failed = await eventually(
      async () => (await col.findOne({ recipientId: user!.userId, status: 'FAILED' })) ?? undefined,
      15_000,
    );
    expect(failed.attempts).toBe(2);
    expect(failed.lastError).toBeTruthy();
    expect(failed.lastErrorKind).toBe('TEMPORARY_FAILURE');
    expect(h.logs.some((l) => l['msg'] === 'notification failed' && l['notificationId'] === failed._id.toHexString())).toBe(true);

    const asCustomer = await h.gql(FAILED, {}, { sub: user!.userId, role: 'CUSTOMER' });
    expect(asCustomer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const listed = await h.gql<{
      failedNotifications: { totalCount: number; edges: { node: { id: string; lastError: string } }[] };
    }>(FAILED, {}, ADMIN);
    expect(listed.data?.failedNotifications.totalCount).toBe(1);
    expect(listed.data?.failedNotifications.edges[0]?.node).toMatchObject({
      id: failed._id.toHexString(),
      kind: 'WELCOME',
      status: 'FAILED',
      attempts: 2,
    });

    await mailpit.stop();
    await mailpit.start();
    const retried = await h.gql(RETRY, { id: failed._id.toHexString() }, ADMIN);
    expect(retried.data).toEqual({ retryNotification: { id: failed._id.toHexString(), status: 'PENDING', attempts: 0 } });
    await eventually(async () => ((await mailTo(user!.email, mailpit.apiUrl)).length === 1 ? true : undefined), 10_000);
    await eventually(async () => ((await col.findOne({ _id: failed._id }))?.status === 'SENT' ? true : undefined));

    const again = await h.gql(RETRY, { id: failed._id.toHexString() }, ADMIN);
    expect(again.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });
});
