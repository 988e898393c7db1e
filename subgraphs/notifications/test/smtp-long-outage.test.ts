import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { mailTo, privateMailpit, sleep, startHarness, uniqueEmail, type Harness, type PrivateMailpit } from './support.js';

// SMTP down for longer than the whole old retry budget (6 attempts at 2, 4, 8, 16, 32 s ≈ 62 s,
// after which every email was FAILED), with the default retry settings. Only the circuit's probe
// interval is shortened (DELIVERY_CIRCUIT_PROBE_MS / _MAX_MS) so the test ends soon after SMTP is
// back. Real time: about 2 minutes.
const OUTAGE_MS = 90_000;
let mailpit: PrivateMailpit;
let h: Harness;

beforeAll(async () => {
  mailpit = await privateMailpit();
  await mailpit.start();
  h = await startHarness({
    smtpUrl: mailpit.smtpUrl,
    delivery: {
      concurrency: 10,
      maxAttempts: 6,
      retryBaseMs: 2_000,
      retryMaxDelayMs: 300_000,
      pollIntervalMs: 1_000,
      circuitProbeMs: 1_000,
      circuitProbeMaxMs: 5_000,
    },
  });
});
afterAll(async () => {
  await h?.close();
  await mailpit?.dispose();
});

describe('a long SMTP outage', () => {
  it('keeps every email PENDING through it and sends each once afterwards, none FAILED', async () => {
    await mailpit.stop();
    const users = Array.from({ length: 8 }, (_, i) => ({
      userId: randomUUID(),
      email: uniqueEmail(`long${i}`),
      name: `User ${i}`,
      role: 'CUSTOMER',
    }));
    for (const user of users) await h.publisher.publish('user.registered', user);
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await eventually(async () => ((await col.countDocuments({ status: 'PENDING' })) === 8 ? true : undefined));
    const started = Date.now();
    // The outage itself: real time passes; checked every few seconds that nothing gave up.
    while (Date.now() - started < OUTAGE_MS) {
      expect(await col.countDocuments({ status: 'FAILED' })).toBe(0);
      await sleep(5_000);
    }
    expect(h.logs.filter((l) => l['msg'] === 'delivery paused').length).toBeGreaterThan(3);
    expect(await col.countDocuments({ status: 'PENDING' })).toBe(8);

    await mailpit.start();
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === 8 ? true : undefined), 30_000, 250);
    await sleep(500);
    for (const user of users) expect(await mailTo(user.email, mailpit.apiUrl)).toHaveLength(1);
    expect(await col.countDocuments({ status: 'FAILED' })).toBe(0);
  }, 180_000);
});
