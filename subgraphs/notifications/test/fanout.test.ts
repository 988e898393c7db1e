import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { USERS, type UserDocument } from '../src/users/user.repository.js';
import { privateMailpit, startHarness, type Harness, type PrivateMailpit } from './support.js';

// Hundreds of recipients for one event: recorded page by page (500 users per page), sent with
// bounded concurrency, one email each. A private Mailpit keeps this volume away from the shared one.
const SUBSCRIBERS = 650;
let mailpit: PrivateMailpit;
let h: Harness;

beforeAll(async () => {
  mailpit = await privateMailpit();
  await mailpit.start();
  h = await startHarness({ smtpUrl: mailpit.smtpUrl, delivery: { concurrency: 8, pollIntervalMs: 100 } });
});
afterAll(async () => {
  await h?.close();
  await mailpit?.dispose();
});

describe('fan-out', () => {
  it('records one notification per opted-in user across pages and sends each once', async () => {
    const now = new Date();
    const users: UserDocument[] = Array.from({ length: SUBSCRIBERS + 50 }, (_, i) => ({
      _id: randomUUID(),
      email: `fan-${i}-${randomUUID().slice(0, 6)}@test.little-ecom.local`,
      name: `Fan ${i}`,
      role: 'CUSTOMER',
      projectedAt: now.toISOString(),
      // The last 50 did not opt in.
      preferences: { newProducts: i < SUBSCRIBERS },
      updatedAt: now,
    }));
    await h.db.db.collection<UserDocument>(USERS).insertMany(users);

    const event = await h.publisher.publish('product.created', {
      productId: '65f0000000000000000000ff',
      slug: 'crowd-pleaser',
      name: 'Crowd Pleaser',
      description: '',
      price: { amount: 990, currency: 'EUR' },
      stock: 10,
      category: 'x',
      imageUrls: [],
    });
    // Redelivered halfway through sending: must not add a single notification.
    await eventually(
      async () =>
        (await h.db.db.collection(NOTIFICATIONS).countDocuments({ eventId: event.id })) === SUBSCRIBERS ? true : undefined,
      20_000,
    );
    await h.publisher.republish(event);

    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await eventually(
      async () => ((await col.countDocuments({ eventId: event.id, status: 'SENT' })) === SUBSCRIBERS ? true : undefined),
      // 650 emails through one SMTP server: about a minute on a busy two-core machine.
      150_000,
      250,
    );
    expect(await col.countDocuments({ eventId: event.id })).toBe(SUBSCRIBERS);
    const recipients = await col.distinct('recipientId', { eventId: event.id });
    expect(new Set(recipients)).toEqual(new Set(users.slice(0, SUBSCRIBERS).map((u) => u._id)));

    const response = await fetch(`${mailpit.apiUrl}/api/v1/messages?limit=1`);
    const { total } = (await response.json()) as { total: number };
    expect(total).toBe(SUBSCRIBERS);
  }, 200_000); // its own waits allow 170 s: hundreds of emails on a busy two-core machine
});
