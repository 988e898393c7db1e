import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '@little-ecom/mongo';
import { eventually, freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { startDeliveryWorker, templateRenderer, type DeliveryWorker } from '../src/delivery/delivery.worker.js';
import { createMailer, type Mailer } from '../src/delivery/mailer.js';
import { renderEmail } from '../src/notifications/templates/registry.js';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { createServices, notificationsIndexes } from '../src/services.js';
import { capturingLogger, privateMailpit, sleep, type PrivateMailpit } from './support.js';

// A slow SMTP server (every reply held back 250 ms by a proxy) makes a claimed batch take longer
// than its claim: two workers share the emails, and none may be sent twice. Each outcome is stored
// as soon as the server accepts the email, and claims are renewed while the batch is being sent.
const EMAILS = 12;
const REPLY_DELAY_MS = 250;

/** A TCP proxy to `port` that delays every chunk the server sends by `delayMs`. */
async function slowProxy(port: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', () => setTimeout(end, delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a slow SMTP server', () => {
  let db: TestDatabase;
  let mailpit: PrivateMailpit;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  const mailers: Mailer[] = [];
  const workers: DeliveryWorker[] = [];
  const logs: Record<string, unknown>[] = [];
  beforeAll(async () => {
    db = await freshDatabase('slow_smtp');
    await ensureIndexes(db.db, notificationsIndexes);
    mailpit = await privateMailpit();
    await mailpit.start();
    proxy = await slowProxy(Number(new URL(mailpit.smtpUrl).port), REPLY_DELAY_MS);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    for (const m of mailers) m.close();
    await proxy?.close();
    await mailpit?.dispose();
    await db?.drop();
  });

  it('sends every email once although a batch outlasts its claim', async () => {
    const { repositories } = createServices(db.db);
    const batch = Array.from({ length: EMAILS }, (_, i) => {
      const input = { kind: 'WELCOME' as const, name: `User ${i}` };
      return {
        eventId: randomUUID(),
        recipientId: `u${i}`,
        kind: 'WELCOME' as const,
        correlationId: 'slow-smtp',
        to: `slow-${i}@test.little-ecom.local`,
        subject: renderEmail(input, 'http://shop.test').subject,
        input,
      };
    });
    await repositories.notifications.record(batch);
    for (let i = 0; i < 2; i++) {
      const mailer = createMailer({
        smtpUrl: `smtp://127.0.0.1:${proxy.port}`,
        from: 'little-ecom <no-reply@test.little-ecom.local>',
        maxConnections: 2,
      });
      mailers.push(mailer);
      workers.push(
        startDeliveryWorker({
          db: db.db,
          repository: repositories.notifications,
          circuit: repositories.circuit,
          mailer,
          logger: capturingLogger(logs),
          // A claimed batch of 10 sends, 5 per lane, takes several seconds here: far beyond the claim.
          settings: {
            concurrency: 2,
            maxAttempts: 4,
            retryBaseMs: 100,
            retryMaxDelayMs: 500,
            pollIntervalMs: 100,
            claimTtlMs: 1_000,
          },
          render: templateRenderer('http://shop.test'),
        }),
      );
    }
    const col = db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === EMAILS ? true : undefined), 90_000, 250);
    await sleep(2_000);
    const response = await fetch(`${mailpit.apiUrl}/api/v1/messages?limit=1000`);
    const { total, messages } = (await response.json()) as { total: number; messages: { MessageID: string }[] };
    expect({ total, distinct: new Set(messages.map((m) => m.MessageID)).size }).toEqual({ total: EMAILS, distinct: EMAILS });
    expect(await col.countDocuments({ status: { $ne: 'SENT' } })).toBe(0);
    expect(logs.filter((l) => l['errorCode'] === 'CLAIM_LOST')).toEqual([]);
  }, 120_000);
});
