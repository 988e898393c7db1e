import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '@little-ecom/mongo';
import { eventually, freshDatabase, testEnv, type TestDatabase } from '@little-ecom/testing';
import { renderEmail } from '../src/notifications/templates/registry.js';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { createServices, notificationsIndexes } from '../src/services.js';
import { privateMailpit, type PrivateMailpit } from './support.js';

// Two delivery workers in separate processes on one database share the work through claims on the
// notification documents: every email goes out once. About 10-20 s on the build machine.
const EMAILS = 150;
let db: TestDatabase;
let mailpit: PrivateMailpit;
const workers: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  // One process per worker (node with the tsx loader, no npx wrapper), so killing it stops it.
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'test/fixtures/delivery-worker.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, MONGODB_URI: testEnv.mongodbUri, MONGODB_DB: db.name, SMTP_URL: mailpit.smtpUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

beforeAll(async () => {
  db = await freshDatabase('delivery_workers');
  await ensureIndexes(db.db, notificationsIndexes);
  mailpit = await privateMailpit();
  await mailpit.start();
});
afterAll(async () => {
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null || w.signalCode !== null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      const timer = setTimeout(() => w.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  await mailpit?.dispose();
  await db?.drop();
});

describe('two delivery workers', () => {
  it('send every email exactly once between them', async () => {
    const repository = createServices(db.db).repositories.notifications;
    const batch = Array.from({ length: EMAILS }, (_, i) => {
      const input = { kind: 'WELCOME' as const, name: `User ${i}` };
      return {
        eventId: randomUUID(),
        recipientId: `u${i}`,
        kind: 'WELCOME' as const,
        correlationId: 'two-workers',
        to: `worker-${i}@test.little-ecom.local`,
        subject: renderEmail(input, 'http://shop.test').subject,
        input,
      };
    });
    await Promise.all([startWorker(), startWorker()]);
    // Recorded in slices while both run, as a consumer would.
    for (let i = 0; i < EMAILS; i += 50) await repository.record(batch.slice(i, i + 50));

    const col = db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === EMAILS ? true : undefined), 90_000, 250);
    const response = await fetch(`${mailpit.apiUrl}/api/v1/messages?limit=1000`);
    const { total, messages } = (await response.json()) as { total: number; messages: { MessageID: string }[] };
    const ids = new Set(messages.map((m) => m.MessageID));
    expect({ total, distinct: ids.size }).toEqual({ total: EMAILS, distinct: EMAILS });
    expect(await col.countDocuments({ status: { $ne: 'SENT' } })).toBe(0);
  }, 120_000);
});
