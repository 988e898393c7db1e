import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp, { type ChannelModel } from 'amqplib';
import { startTcpProxy } from '@little-ecom/amqp/testing';
import { eventually, freshDatabase, testEnv, type TestDatabase } from '@little-ecom/testing';
import { buildEvent, type EventEnvelope } from './envelope.js';
import { outboxFields } from './outbox.js';
import type { OutboxRelayStats } from './relay.js';

// Two relays as two processes on one database, publishing while writes go on: every event exactly
// once (a duplicate would need a lease to lapse, i.e. a relay stalled for 30 s between publishing and
// removing), in order per document. About 15 s: two process starts.
const exchange = `test-${randomUUID().slice(0, 8)}.relay-processes`;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = fileURLToPath(new URL('./relay-process.fixture.ts', import.meta.url));
let database: TestDatabase;
let observer: ChannelModel;
const received: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await freshDatabase('relay_processes');
  observer = await amqp.connect(testEnv.amqpUrl);
  const channel = await observer.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, '#');
  await channel.consume(queue, (msg) => msg && received.push(msg.properties.messageId as string), { noAck: true });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const channel = await observer.createChannel();
  await channel.deleteExchange(exchange);
  await observer.close();
  await database.drop();
});

function startRelayProcess(
  owner: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; ready: Promise<void>; stats: Promise<OutboxRelayStats> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fixture], {
    cwd: repoRoot,
    env: {
      ...process.env,
      RELAY_MONGODB_URI: testEnv.mongodbUri,
      RELAY_DB: database.name,
      RELAY_COLLECTION: 'docs',
      RELAY_AMQP_URL: testEnv.amqpUrl,
      RELAY_EXCHANGE: exchange,
      RELAY_OWNER: owner,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const ready = eventually(async () => (out.includes('ready\n') ? true : undefined), 30_000).then(() => undefined);
  const stats = new Promise<OutboxRelayStats>((resolve, reject) =>
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0) resolve(JSON.parse(line) as OutboxRelayStats);
      else reject(new Error(`relay ${owner} exited with ${String(code)}`));
    }),
  );
  stats.catch(() => undefined);
  return { child, ready, stats };
}

describe('two relay processes on one database', () => {
  it('publish every event exactly once, in order per document, while writes go on', async () => {
    const col = database.db.collection('docs');
    const written: EventEnvelope[][] = [];
    const write = async (n: number) => {
      const events = [1, 2].map((k) =>
        buildEvent(
          'product.updated',
          {
            productId: `p${n}`,
            slug: `p${n}`,
            name: `P${n}`,
            price: { before: { amount: 100, currency: 'EUR' }, after: { amount: 100, currency: 'EUR' } },
            stock: { before: k - 1, after: k },
            changed: ['stock'],
            aggregateVersion: k + 1,
          },
          { source: 'test', correlationId: 'c' },
        ),
      );
      written.push(events);
      await col.insertOne(outboxFields(events));
    };
    for (let n = 0; n < 100; n++) await write(n);
    const relays = [startRelayProcess('relay-a'), startRelayProcess('relay-b')];
    await Promise.all(relays.map((r) => r.ready));
    for (let n = 100; n < 200; n++) await write(n);

    const expected = written.flat().map((e) => e.id);
    await eventually(async () => (new Set(received).size === expected.length ? true : undefined), 60_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const r of relays) r.child.kill('SIGTERM');
    const stats = await Promise.all(relays.map((r) => r.stats));

    expect(new Set(received)).toEqual(new Set(expected));
    const duplicates = received.length - new Set(received).size;
    expect(duplicates).toBe(0);
    // Both took part (they claim different documents), and together published each event once.
    expect(stats.map((s) => s.published).reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(stats.every((s) => s.published > 0)).toBe(true);
    for (const events of written) {
      const order = received.filter((id) => id === events[0]!.id || id === events[1]!.id);
      expect(order).toEqual(events.map((e) => e.id));
    }
    expect(await col.countDocuments({ outboxDueAt: { $exists: true } })).toBe(0);
  }, 120_000);

  it('a relay killed mid-batch leaves at most one capped batch to publish again', async () => {
    received.length = 0;
    const col = database.db.collection('killed');
    // One document with a long outbox: before the cap it went out as one batch of 120.
    const events = Array.from({ length: 120 }, (_, k) =>
      buildEvent(
        'product.updated',
        {
          productId: 'big',
          slug: 'big',
          name: 'Big',
          price: { before: { amount: 100, currency: 'EUR' }, after: { amount: 100, currency: 'EUR' } },
          stock: { before: k, after: k + 1 },
          changed: ['stock'],
          aggregateVersion: k + 2,
        },
        { source: 'test', correlationId: 'c' },
      ),
    );
    await col.insertOne(outboxFields(events));
    // A slow broker (confirms 300 ms late) so the kill lands while a batch waits for its confirms.
    const proxy = await startTcpProxy(testEnv.amqpUrl);
    const env = { RELAY_COLLECTION: 'killed', RELAY_LEASE_MS: '1000', RELAY_MAX_BATCH_EVENTS: '10' };
    const first = startRelayProcess('relay-killed', { ...env, RELAY_AMQP_URL: proxy.url });
    await first.ready;
    proxy.delayReplies(300);
    await eventually(async () => (received.length >= 25 ? true : undefined), 30_000, 20);
    first.child.kill('SIGKILL');
    const second = startRelayProcess('relay-after', env);
    await second.ready;
    await eventually(async () => (events.every((e) => received.includes(e.id)) ? true : undefined), 60_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    second.child.kill('SIGTERM');
    await second.stats;
    await proxy.close();

    const mine = new Set(events.map((e) => e.id));
    const got = received.filter((id) => mine.has(id));
    expect(new Set(got)).toEqual(mine);
    // Republished: only what the killed relay had published but not yet marked, at most one batch.
    expect(got.length - events.length).toBeLessThanOrEqual(10);
    expect(await col.countDocuments({ outboxDueAt: { $exists: true } })).toBe(0);
  }, 120_000);
});
