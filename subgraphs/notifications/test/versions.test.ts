import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { USERS, type UserDocument } from '../src/users/user.repository.js';
import { startHarness, uniqueEmail, type Harness } from './support.js';

// Events of one aggregate can arrive out of order (retries, redeliveries, prefetch): consumers keep
// the highest aggregateVersion seen and ignore older events.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const staleLogged = (eventId: string) =>
  eventually(async () => (h.logs.some((l) => l['msg'] === 'stale event ignored' && l['eventId'] === eventId) ? true : undefined));

describe('per-aggregate versions', () => {
  it('drops a price drop computed from an older product.updated that arrives after a newer one', async () => {
    const fan: UserDocument = {
      _id: randomUUID(),
      email: uniqueEmail('stale-fan'),
      name: 'Fan',
      preferences: { priceDrops: true, backInStock: true },
      updatedAt: new Date(),
    };
    await h.db.db.collection<UserDocument>(USERS).insertOne(fan);
    const product = { productId: randomUUID(), slug: 'lamp', name: 'Lamp', changed: ['price'] };
    const eur = (amount: number) => ({ amount, currency: 'EUR' });

    // v3: a later change that already undid the drop; v2: the drop, delivered late.
    const newer = await h.publisher.publish('product.updated', {
      ...product,
      price: { before: eur(500), after: eur(1000) },
      stock: { before: 0, after: 4 },
      aggregateVersion: 3,
    });
    await eventually(
      async () => (await h.db.db.collection(NOTIFICATIONS).countDocuments({ eventId: newer.id })) === 1 || undefined,
    );
    const older = await h.publisher.publish('product.updated', {
      ...product,
      price: { before: eur(1000), after: eur(500) },
      stock: { before: 4, after: 4 },
      aggregateVersion: 2,
    });
    await staleLogged(older.id);

    const recorded = await h.db.db.collection<NotificationDocument>(NOTIFICATIONS).find({ recipientId: fan._id }).toArray();
    expect(recorded.map((n) => n.kind)).toEqual(['BACK_IN_STOCK']);
  });

  it('admits the same version again (a redelivery can finish), never an older one, and always version 0', async () => {
    const { versions } = h.app.services.repositories;
    const key = `product:${randomUUID()}`;
    expect(await versions.admit(key, 3)).toBe(true);
    expect(await versions.admit(key, 3)).toBe(true);
    expect(await versions.admit(key, 2)).toBe(false);
    expect(await versions.admit(key, 0)).toBe(true);
    expect(await versions.admit(key, 4)).toBe(true);
    expect(await versions.current(key)).toBe(4);
  });

  it('cancels the pending marketing emails of a deleted product, and only those', async () => {
    const productId = randomUUID();
    const later = new Date(Date.now() + 3_600_000); // not due yet: the worker leaves them alone
    const base = { correlationId: 'c', to: 'x@test.little-ecom.local', subject: 's', attempts: 0, nextAttemptAt: later };
    const now = new Date();
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await col.insertMany([
      {
        _id: new ObjectId(),
        ...base,
        eventId: 'e1',
        recipientId: 'a',
        kind: 'NEW_PRODUCT',
        productId,
        status: 'PENDING',
        createdAt: now,
        updatedAt: now,
      },
      {
        _id: new ObjectId(),
        ...base,
        eventId: 'e2',
        recipientId: 'a',
        kind: 'PRICE_DROP',
        productId,
        status: 'SENT',
        createdAt: now,
        updatedAt: now,
      },
      {
        _id: new ObjectId(),
        ...base,
        eventId: 'e3',
        recipientId: 'a',
        kind: 'WELCOME',
        status: 'PENDING',
        createdAt: now,
        updatedAt: now,
      },
    ]);
    const deleted = await h.publisher.publish('product.deleted', { productId, slug: 'gone', name: 'Gone', aggregateVersion: 5 });
    await eventually(async () =>
      h.logs.some((l) => l['msg'] === 'product emails cancelled' && l['eventId'] === deleted.id) ? true : undefined,
    );
    const statuses = Object.fromEntries(
      (await col.find({ eventId: { $in: ['e1', 'e2', 'e3'] } }).toArray()).map((n) => [n.eventId, n.status]),
    );
    expect(statuses).toEqual({ e1: 'CANCELLED', e2: 'SENT', e3: 'PENDING' });
  });

  it('keeps the newest user projection when an older user.updated comes last', async () => {
    const userId = randomUUID();
    const base = { userId, role: 'CUSTOMER' };
    await h.publisher.publish('user.updated', { ...base, email: uniqueEmail('v3'), name: 'Third', aggregateVersion: 3 });
    const users = h.db.db.collection<UserDocument>(USERS);
    await eventually(async () => ((await users.findOne({ _id: userId }))?.name === 'Third' ? true : undefined));
    const older = await h.publisher.publish('user.updated', {
      ...base,
      email: uniqueEmail('v2'),
      name: 'Second',
      aggregateVersion: 2,
    });
    await staleLogged(older.id);
    expect(await users.findOne({ _id: userId })).toMatchObject({ name: 'Third', projectedVersion: 3 });
  });
});
