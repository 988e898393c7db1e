import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOnce } from '@little-ecom/coordination';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { loadNotificationsConfig } from '../src/config.js';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { retentionRules } from '../src/retention.js';
import { AWAITING_USER } from '../src/users/awaiting-user.repository.js';

// FerretDB has no TTL indexes: notifications and version records are deleted by a sweep, in
// bounded batches by _id, and only what is finished and old.
const DAY = 24 * 60 * 60_000;

describe('the retention sweep', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase('retention');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('deletes old finished notifications and version records in bounded batches, keeps recent and pending ones', async () => {
    const now = Date.now();
    const notification = (status: NotificationDocument['status'], ageDays: number): NotificationDocument => {
      const at = new Date(now - ageDays * DAY);
      return {
        _id: new ObjectId(),
        eventId: randomUUID(),
        recipientId: randomUUID(),
        kind: 'WELCOME',
        correlationId: randomUUID(),
        to: 'x@test.little-ecom.local',
        subject: 'Welcome',
        status,
        attempts: 1,
        nextAttemptAt: at,
        createdAt: at,
        updatedAt: at,
      };
    };
    const old = [
      ...Array.from({ length: 30 }, () => notification('SENT', 120)),
      ...Array.from({ length: 5 }, () => notification('FAILED', 100)),
      ...Array.from({ length: 5 }, () => notification('CANCELLED', 91)),
    ];
    const kept = [
      ...Array.from({ length: 10 }, () => notification('SENT', 10)),
      // Pending for months (say, a paused SMTP server): still to be sent, never deleted.
      ...Array.from({ length: 5 }, () => notification('PENDING', 200)),
    ];
    const col = database.db.collection<NotificationDocument>(NOTIFICATIONS);
    await col.insertMany([...old, ...kept]);
    const versions = database.db.collection<{ _id: string; version: number; updatedAt: Date }>('aggregate_versions');
    await versions.insertMany([
      ...Array.from({ length: 25 }, (_, i) => ({ _id: `product:old-${i}`, version: 3, updatedAt: new Date(now - 40 * DAY) })),
      ...Array.from({ length: 5 }, (_, i) => ({ _id: `product:new-${i}`, version: 3, updatedAt: new Date(now - DAY) })),
    ]);
    // Order emails still waiting for their user: given up after their wait, the others kept.
    const awaiting = database.db.collection<{ _id: string; events: unknown[]; giveUpAt: Date; updatedAt: Date }>(AWAITING_USER);
    await awaiting.insertMany([
      ...Array.from({ length: 3 }, (_, i) => ({
        _id: `gone-${i}`,
        events: [],
        giveUpAt: new Date(now - 60_000),
        updatedAt: new Date(now - DAY),
      })),
      ...Array.from({ length: 2 }, (_, i) => ({
        _id: `waiting-${i}`,
        events: [],
        giveUpAt: new Date(now + DAY),
        updatedAt: new Date(now),
      })),
    ]);

    // The defaults, through the config reader: 90 days for notifications, 30 for versions.
    const { retention } = loadNotificationsConfig({ NODE_ENV: 'test' });
    expect(retention).toMatchObject({ notificationsMs: 90 * DAY, aggregateVersionsMs: 30 * DAY });
    const rules = retentionRules(retention);
    // Bounded: at most 2 × 10 documents per collection per pass; the rest waits for the next one.
    const settings = { batchSize: 10, maxBatches: 2 };
    expect(await sweepOnce(database.db, rules, settings)).toEqual({
      notifications: 20,
      aggregate_versions: 20,
      awaiting_user: 3,
    });
    expect(await sweepOnce(database.db, rules, settings)).toEqual({ notifications: 20, aggregate_versions: 5, awaiting_user: 0 });
    expect(await sweepOnce(database.db, rules, settings)).toEqual({ notifications: 0, aggregate_versions: 0, awaiting_user: 0 });
    const left = await col.find({}, { projection: { _id: 1 } }).toArray();
    expect(left.map((d) => d._id.toHexString()).sort()).toEqual(kept.map((d) => d._id.toHexString()).sort());
    expect((await versions.find({}).toArray()).map((v) => v._id).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => `product:new-${i}`).sort(),
    );
    expect((await awaiting.find({}).toArray()).map((a) => a._id).sort()).toEqual(['waiting-0', 'waiting-1']);
  });
});
