import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '@little-ecom/events';
import { eventually } from '@little-ecom/testing';
import { AWAITING_USER, createAwaitingUserRepository, type OrderEmailEvent } from '../src/users/awaiting-user.repository.js';
import { mailTo, sleep, startHarness, uniqueEmail, type Harness } from './support.js';

// A first order's events can overtake its customer's user.registered (another queue, a retry, a
// replay of dead letters). The email waits for the user in the database, however long the retries
// would have lasted (here one 100 ms retry: the old handler dead-lettered it within a second).
const order = (userId: string): EventInput<'order.confirmed'> => ({
  orderId: randomUUID(),
  userId,
  items: [{ productId: randomUUID(), quantity: 1, name: 'Lamp', unitPrice: { amount: 3999, currency: 'EUR' } }],
  total: { amount: 3999, currency: 'EUR' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
  aggregateVersion: 2,
});

describe('an order email whose user is projected later', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ retry: { maxRetries: 1, retryDelayMs: 100 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits for user.registered instead of being dead-lettered, then goes out once', async () => {
    const userId = randomUUID();
    const email = uniqueEmail('late-user');
    const confirmed = await h.publisher.publish('order.confirmed', order(userId));
    const shipped = await h.publisher.publish('order.shipped', { ...order(userId), aggregateVersion: 3 });
    // Parked, acknowledged: nothing in the retry or dead-letter queues, however long it waits.
    const awaiting = h.db.db.collection<{ _id: string; events: { id: string }[] }>(AWAITING_USER);
    await eventually(async () => ((await awaiting.findOne({ _id: userId }))?.events.length === 2 ? true : undefined), 15_000);
    await sleep(2_000);
    expect((await h.publisher.channel.checkQueue(h.topology.deadLetterQueue)).messageCount).toBe(0);
    expect((await h.publisher.channel.checkQueue(h.topology.queue)).messageCount).toBe(0);
    expect(h.logs.some((l) => l['msg'] === 'order email waits for its user' && l['eventId'] === confirmed.id)).toBe(true);

    // The user arrives: welcome, confirmed and shipped emails, once each, and nothing left waiting.
    await h.publisher.publish('user.registered', { userId, email, name: 'Ada', role: 'CUSTOMER', aggregateVersion: 1 });
    const subjects = await eventually(async () => {
      const mail = await mailTo(email);
      return mail.length >= 3 ? mail.map((m) => m.Subject).sort() : undefined;
    }, 30_000);
    expect(subjects).toHaveLength(3);
    expect(subjects.some((s) => /confirmed/i.test(s))).toBe(true);
    expect(subjects.some((s) => /shipped/i.test(s))).toBe(true);
    expect(await awaiting.findOne({ _id: userId })).toBeNull();

    // A redelivered order event now finds the user: recorded once, no second email.
    await h.publisher.republish(shipped);
    await sleep(1_500);
    expect(await mailTo(email)).toHaveLength(3);
  });

  it('keeps every event of a user parked at the same moment (the consumer handles several at once)', async () => {
    const repository = createAwaitingUserRepository(h.db.db);
    const users = Array.from({ length: 10 }, () => randomUUID());
    const event = (userId: string, type: 'order.confirmed' | 'order.shipped') =>
      ({ id: randomUUID(), type, data: order(userId) }) as unknown as OrderEmailEvent;
    const giveUpAt = new Date(Date.now() + 60_000);
    await Promise.all(
      users.flatMap((u) => [
        repository.park(u, event(u, 'order.confirmed'), giveUpAt),
        repository.park(u, event(u, 'order.shipped'), giveUpAt),
      ]),
    );
    for (const u of users)
      expect((await repository.find(u))?.events.map((e) => e.type).sort()).toEqual(['order.confirmed', 'order.shipped']);
  });

  it('an order event for a user projected meanwhile is recorded at once', async () => {
    const userId = randomUUID();
    const email = uniqueEmail('known-user');
    await h.publisher.publish('user.registered', { userId, email, name: 'Bo', role: 'CUSTOMER', aggregateVersion: 1 });
    await eventually(async () => ((await mailTo(email)).length === 1 ? true : undefined), 30_000);
    await h.publisher.publish('order.confirmed', order(userId));
    await eventually(async () => ((await mailTo(email)).length === 2 ? true : undefined), 30_000);
    expect(await h.db.db.collection<{ _id: string }>(AWAITING_USER).countDocuments({ _id: userId })).toBe(0);
  });
});
