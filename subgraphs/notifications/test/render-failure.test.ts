import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { mailTo, privateMailpit, sleep, startHarness, uniqueEmail, type Harness, type PrivateMailpit } from './support.js';

// An email whose stored data no longer renders (a bad template input) is a fault of that email, not
// of the SMTP server: it fails alone, visibly, and everyone else's mail keeps going out.
const ADMIN = { sub: 'admin-1', role: 'ADMIN' };
const RETRY = `mutation($id: ID!) { retryNotification(id: $id) { status } }`;

describe('an email that fails to render', () => {
  let mailpit: PrivateMailpit;
  let h: Harness;
  beforeAll(async () => {
    mailpit = await privateMailpit();
    await mailpit.start();
    h = await startHarness({ smtpUrl: mailpit.smtpUrl });
  });
  afterAll(async () => {
    await h?.close();
    await mailpit?.dispose();
  });

  it('is FAILED on its own and never pauses delivery for the others', async () => {
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    const broken = uniqueEmail('broken');
    const now = new Date();
    // Recorded first, so it is the oldest due email (and the one a probe would pick every time).
    const { insertedId } = await col.insertOne({
      _id: new ObjectId(),
      eventId: randomUUID(),
      recipientId: randomUUID(),
      kind: 'ORDER_CONFIRMED',
      correlationId: randomUUID(),
      to: broken,
      subject: 'Your order',
      // The order summary the template reads is missing: rendering throws a TypeError.
      input: { kind: 'ORDER_CONFIRMED', name: 'Broken' } as unknown as NotificationDocument['input'],
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: now,
      retryFrom: now,
      createdAt: now,
      updatedAt: now,
    });
    const users = Array.from({ length: 4 }, (_, i) => ({
      userId: randomUUID(),
      email: uniqueEmail(`fine${i}`),
      name: `User ${i}`,
      role: 'CUSTOMER',
    }));
    for (const user of users) await h.publisher.publish('user.registered', user);

    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === 4 ? true : undefined), 15_000);
    const failed = await eventually(async () => (await col.findOne({ _id: insertedId, status: 'FAILED' })) ?? undefined, 10_000);
    expect(failed).toMatchObject({ lastErrorKind: 'RENDER_FAILED', attempts: 1 });
    expect(failed.lastErrorDetail).toMatch(/TypeError|undefined/);
    expect(h.logs.some((l) => l['msg'] === 'delivery paused')).toBe(false);
    expect(await h.db.db.collection('delivery_circuit').countDocuments()).toBe(0);
    await sleep(300);
    for (const user of users) expect(await mailTo(user.email, mailpit.apiUrl)).toHaveLength(1);
    expect(await mailTo(broken, mailpit.apiUrl)).toHaveLength(0);

    // Visible to admins, and retryable by them (here it fails again: the data is still broken).
    const retried = await h.gql<{ retryNotification: { status: string } }>(RETRY, { id: insertedId.toHexString() }, ADMIN);
    expect(retried.errors).toBeUndefined();
    const failures = () => h.logs.filter((l) => l['msg'] === 'notification failed').length;
    await eventually(async () => (failures() >= 2 ? true : undefined), 10_000);
    expect(await col.findOne({ _id: insertedId })).toMatchObject({ status: 'FAILED', lastErrorKind: 'RENDER_FAILED' });
    expect(h.logs.some((l) => l['msg'] === 'delivery paused')).toBe(false);
  });
});
