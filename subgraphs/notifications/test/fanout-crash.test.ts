import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabase, testEnv, type TestDatabase } from '@little-ecom/testing';
import { ensureIndexes } from '@little-ecom/mongo';
import { FANOUT_JOBS, type FanOutJobDocument } from '../src/fanout/fanout.repository.js';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { createServices, notificationsIndexes } from '../src/services.js';
import { USERS, type UserDocument } from '../src/users/user.repository.js';
import { privateMailpit, type PrivateMailpit } from './support.js';

// A fan-out runner killed (SIGKILL) halfway through its job; a new one resumes at the job's cursor.
// Every recipient ends with one notification and one email. About 30-60 s on the build machine.
const RECIPIENTS = 120;
let db: TestDatabase;
let mailpit: PrivateMailpit;
const children: ChildProcess[] = [];

function start(fixture: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', `test/fixtures/${fixture}`], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, MONGODB_URI: testEnv.mongodbUri, MONGODB_DB: db.name, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code, signal) => reject(new Error(`${fixture} exited (${code ?? signal})`)));
  });
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  db = await freshDatabase('fanout_crash');
  await ensureIndexes(db.db, notificationsIndexes);
  mailpit = await privateMailpit();
  await mailpit.start();
});
afterAll(async () => {
  await Promise.all(children.map((c) => kill(c, 'SIGTERM')));
  await mailpit?.dispose();
  await db?.drop();
});

describe('fan-out job', () => {
  it('resumes after a crash at about half, with no duplicate and no missing recipient', async () => {
    const now = new Date();
    const users: UserDocument[] = Array.from({ length: RECIPIENTS + 10 }, (_, i) => ({
      _id: randomUUID(),
      email: `crash-${i}@test.little-ecom.local`,
      name: `Fan ${i}`,
      preferences: { newProducts: i < RECIPIENTS },
      updatedAt: now,
    }));
    await db.db.collection<UserDocument>(USERS).insertMany(users);
    const eventId = randomUUID();
    await createServices(db.db).repositories.fanOutJobs.create({
      eventId,
      correlationId: 'crash',
      kind: 'NEW_PRODUCT',
      preference: 'newProducts',
      product: { productId: 'p-crash', slug: 'crash', name: 'Crash', price: { amount: 100, currency: 'EUR' } },
    });
    const col = db.db.collection<NotificationDocument>(NOTIFICATIONS);

    const first = await start('fanout-runner.ts', { FANOUT_PAGE_SIZE: '10' });
    await eventually(async () => ((await col.countDocuments({ eventId })) >= RECIPIENTS / 2 ? true : undefined), 60_000, 50);
    await kill(first, 'SIGKILL');
    const atCrash = await col.countDocuments({ eventId });
    const job = await db.db.collection<FanOutJobDocument>(FANOUT_JOBS).findOne({});
    // Really a crash mid-job: not done, not everyone recorded.
    expect(job!.status).toBe('RUNNING');
    expect(atCrash).toBeLessThan(RECIPIENTS);

    await start('fanout-runner.ts', { FANOUT_PAGE_SIZE: '10' });
    await start('delivery-worker.ts', { SMTP_URL: mailpit.smtpUrl });
    await eventually(
      async () => ((await db.db.collection<FanOutJobDocument>(FANOUT_JOBS).findOne({}))?.status === 'DONE' ? true : undefined),
      60_000,
    );
    expect(await col.countDocuments({ eventId })).toBe(RECIPIENTS);
    const recipients = await col.distinct('recipientId', { eventId });
    expect(new Set(recipients)).toEqual(new Set(users.slice(0, RECIPIENTS).map((u) => u._id)));
    // No stored bodies for a fan-out: template input only.
    expect(await col.countDocuments({ eventId, html: { $exists: true } })).toBe(0);

    await eventually(
      async () => ((await col.countDocuments({ eventId, status: 'SENT' })) === RECIPIENTS ? true : undefined),
      90_000,
      250,
    );
    const response = await fetch(`${mailpit.apiUrl}/api/v1/messages?limit=1000`);
    const { total, messages } = (await response.json()) as { total: number; messages: { To: { Address: string }[] }[] };
    expect({ total, distinct: new Set(messages.map((m) => m.To[0]!.Address)).size }).toEqual({
      total: RECIPIENTS,
      distinct: RECIPIENTS,
    });
  }, 180_000);
});
