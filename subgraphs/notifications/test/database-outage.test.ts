import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { eventually, privateFerretDb, type TestDatabase } from '@little-ecom/testing';
import { ensureIndexes } from '@little-ecom/mongo';
import { notificationsIndexes } from '../src/services.js';
import { DEFAULT_RETRY } from '@little-ecom/events';
import { mailTo, sleep, startHarness, uniqueEmail, type Harness } from './support.js';

// The notifications database goes away for a minute while events keep arriving. With the product's
// default retry policy (1+2+4+8+16 s), the old consumer burned every message's retries in ~31 s and
// dead-lettered the backlog. Now it pauses while the database does not answer and handles everything
// once it is back. Runs about 80 s: the outage itself is real time.
const OUTAGE_MS = 60_000;
let ferret: Awaited<ReturnType<typeof privateFerretDb>>;
let h: Harness;

beforeAll(async () => {
  ferret = await privateFerretDb();
  await ferret.start();
  const client = new MongoClient(ferret.uri, { serverSelectionTimeoutMS: 2_000 });
  await client.connect();
  const name = `test_outage_${randomUUID().slice(0, 8)}`;
  const database: TestDatabase = {
    client,
    db: client.db(name),
    name,
    drop: async () => {
      await client
        .db(name)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    },
  };
  await ensureIndexes(database.db, notificationsIndexes);
  h = await startHarness({ database, retry: DEFAULT_RETRY });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await ferret?.dispose();
});

describe('notifications database outage', () => {
  it('pauses consumption while the database is down: nothing dead-lettered, every event handled once after', async () => {
    const user = (label: string) => ({ userId: randomUUID(), email: uniqueEmail(label), name: 'Outage', role: 'CUSTOMER' });
    const before = user('before-outage');
    await h.publisher.publish('user.registered', before);
    await eventually(async () => ((await mailTo(before.email)).length === 1 ? true : undefined), 20_000);

    await ferret.stop();
    const stoppedAt = Date.now();
    const during = Array.from({ length: 30 }, (_, i) => user(`during-outage-${i}`));
    // Under load: events keep coming in through the outage.
    for (const [i, u] of during.entries()) {
      await h.publisher.publish('user.registered', u);
      if (i % 5 === 4) await sleep(OUTAGE_MS / 8);
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    // What the old consumer did meanwhile: every message's retries (31 s in all) spent, the backlog dead-lettered.
    const deadLetters = (await h.publisher.channel.checkQueue(h.topology.deadLetterQueue)).messageCount;
    const retried = h.logs.filter((l) => l['msg'] === 'event retry scheduled').length;
    expect({ deadLetters, retried }).toEqual({ deadLetters: 0, retried: 0 });
    expect(h.app.consumerPaused()).toBe(true);
    await ferret.start();

    await eventually(
      async () => {
        const counts = await Promise.all(during.map(async (u) => (await mailTo(u.email)).length));
        return counts.every((c) => c >= 1) ? true : undefined;
      },
      // The driver reconnects, the consumer resumes and 30 emails go out: slow on a busy machine.
      120_000,
      500,
    );
    await sleep(1_000);
    for (const u of during) expect(await mailTo(u.email)).toHaveLength(1);
    const { messageCount } = await h.publisher.channel.checkQueue(h.topology.deadLetterQueue);
    expect(messageCount).toBe(0);
    expect(h.logs.filter((l) => l['msg'] === 'event dead-lettered')).toEqual([]);
    expect(h.logs.filter((l) => l['msg'] === 'event retry scheduled')).toEqual([]);
    expect(h.logs.some((l) => l['msg'] === 'notifications database unreachable, consumer paused')).toBe(true);
    expect(h.logs.some((l) => l['msg'] === 'notifications database reachable again, consumer resumed')).toBe(true);
    expect(h.app.consumerPaused()).toBe(false);
  }, 260_000);
});
