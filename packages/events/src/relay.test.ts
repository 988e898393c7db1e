import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { MongoClient, ObjectId } from 'mongodb';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { startTcpProxy } from '@little-ecom/amqp/testing';
import { silentLogger } from '@little-ecom/logger';
import { eventually, freshDatabase, privateFerretDb, testEnv, type TestDatabase } from '@little-ecom/testing';
import { buildEvent, OUTBOX_FIELD, type EventEnvelope } from './envelope.js';
import { OUTBOX_DUE_FIELD, outboxFields } from './outbox.js';
import { OUTBOX_LEASES, startOutboxRelay, type OutboxRelay } from './relay.js';
import { announceOutboxWrite } from './signal.js';
import { CORRELATION_HEADER } from './wire.js';

const exchange = `test-${randomUUID().slice(0, 8)}.little-ecom.events`;
let database: TestDatabase;
let observer: ChannelModel;
const received: ConsumeMessage[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

const event = (n: number, correlationId = 'req-1') =>
  buildEvent(
    'product.updated',
    {
      productId: 'p',
      slug: 'p',
      name: 'P',
      price: { before: { amount: 100, currency: 'EUR' }, after: { amount: 100, currency: 'EUR' } },
      stock: { before: n, after: n + 1 },
      changed: ['stock'],
      aggregateVersion: n + 1,
    },
    { source: 'test', correlationId },
  );

beforeAll(async () => {
  database = await freshDatabase('events');
  observer = await amqp.connect(testEnv.amqpUrl);
  const channel = await observer.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, '#');
  await channel.consume(queue, (msg) => msg && received.push(msg), { noAck: true });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  received.length = 0;
});

afterAll(async () => {
  const channel = await observer.createChannel();
  await channel.deleteExchange(exchange);
  await observer.close();
  await database.drop();
});

function relayWith(
  connection: AmqpConnection,
  collection: string,
  extra: Partial<Parameters<typeof startOutboxRelay>[0]> = {},
): OutboxRelay {
  const relay = startOutboxRelay({
    db: database.db,
    collections: [collection],
    connection,
    logger: silentLogger,
    exchange,
    pollIntervalMs: 200,
    ...extra,
  });
  cleanups.push(() => relay.stop());
  return relay;
}

function connection(url = testEnv.amqpUrl): AmqpConnection {
  const conn = createAmqpConnection({
    url,
    name: `events-test-${randomUUID().slice(0, 8)}`,
    logger: silentLogger,
    minDelayMs: 50,
    maxDelayMs: 500,
  });
  cleanups.push(() => conn.close());
  return conn;
}

const ids = (events: EventEnvelope[]) => events.map((e) => e.id);
const receivedIds = () => received.map((m) => m.properties.messageId as string);

describe('outbox relay', () => {
  it('publishes a document’s events in order with their AMQP properties, then removes them', async () => {
    const col = database.db.collection('ordered');
    const events = [event(1, 'req-42'), event(2), event(3)];
    const _id = new ObjectId();
    await col.insertOne({ _id, name: 'x', ...outboxFields(events) });
    relayWith(connection(), 'ordered');
    announceOutboxWrite('ordered');

    await eventually(async () => (received.length === 3 ? true : undefined));
    expect(receivedIds()).toEqual(ids(events));
    const first = received[0]!;
    expect(first.fields.routingKey).toBe('product.updated');
    expect(first.properties).toMatchObject({
      messageId: events[0]!.id,
      type: 'product.updated',
      contentType: 'application/json',
      correlationId: 'req-42',
      deliveryMode: 2,
    });
    expect(first.properties.headers?.[CORRELATION_HEADER]).toBe('req-42');
    expect(JSON.parse(first.content.toString())).toEqual(events[0]);
    await eventually(async () => {
      const doc = await col.findOne({ _id });
      const leases = await database.db.collection(OUTBOX_LEASES).countDocuments();
      return (doc?.[OUTBOX_FIELD] as unknown[] | undefined)?.length === 0 && leases === 0 ? true : undefined;
    });
  });

  it('publishes events left behind by a relay that died before publishing, once its lease lapses', async () => {
    const col = database.db.collection('crashed');
    const pending = [event(1), event(2)];
    // The write happened, then the process holding the lease died before it published anything.
    const { insertedId } = await col.insertOne(outboxFields(pending));
    await database.db.collection<{ _id: string; owner: string; until: Date }>(OUTBOX_LEASES).insertOne({
      _id: `crashed:${String(insertedId)}`,
      owner: 'dead-replica',
      until: new Date(Date.now() + 1_000),
      scope: 'crashed',
      ref: insertedId,
    } as { _id: string; owner: string; until: Date });
    const orphan = [event(3)];
    await col.insertOne({ [OUTBOX_FIELD]: orphan }); // written by an older version, without the pending marker

    relayWith(connection(), 'crashed');
    await eventually(async () => (received.length === 3 ? true : undefined), 15_000);
    expect(new Set(receivedIds())).toEqual(new Set([...ids(pending), ...ids(orphan)]));
    // Removed right after the confirm; the marker goes with the last event.
    await eventually(async () =>
      (await col.countDocuments({
        $or: [{ [`${OUTBOX_FIELD}.0`]: { $exists: true } }, { [OUTBOX_DUE_FIELD]: { $exists: true } }],
      })) === 0
        ? true
        : undefined,
    );
  });

  it('deletes a soft-deleted document once its last event is published', async () => {
    const col = database.db.collection('softdeleted');
    const _id = new ObjectId();
    await col.insertOne({ _id, deletedAt: new Date(), ...outboxFields([event(1)]) });
    const keep = new ObjectId();
    await col.insertOne({ _id: keep, ...outboxFields([event(2)]) });
    relayWith(connection(), 'softdeleted', { removeWhenDrained: { softdeleted: { deletedAt: { $exists: true } } } });
    await eventually(async () => (received.length === 2 && (await col.countDocuments({ _id })) === 0 ? true : undefined));
    expect(await col.countDocuments({ _id: keep })).toBe(1);
  });

  it('loses no event when its broker connection is cut and restored while writes go on', async () => {
    const proxy = await startTcpProxy(testEnv.amqpUrl);
    cleanups.push(() => proxy.close());
    const col = database.db.collection('cut');
    relayWith(connection(proxy.url), 'cut', { pollIntervalMs: 100 });
    const written: EventEnvelope[] = [];
    const write = async (n: number) => {
      const e = event(n);
      written.push(e);
      await col.insertOne(outboxFields([e]));
      announceOutboxWrite('cut');
    };
    for (let n = 0; n < 20; n++) await write(n);
    proxy.cut();
    for (let n = 20; n < 40; n++) await write(n);
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.restore();
    for (let n = 40; n < 50; n++) await write(n);

    await eventually(async () => (new Set(receivedIds()).size === 50 ? true : undefined), 20_000);
    expect(new Set(receivedIds())).toEqual(new Set(ids(written)));
    await eventually(async () =>
      (await col.countDocuments({ [`${OUTBOX_FIELD}.0`]: { $exists: true } })) === 0 ? true : undefined,
    );
  });

  it('lets several replicas run without publishing a document twice', async () => {
    const col = database.db.collection('replicas');
    const written: EventEnvelope[] = [];
    for (let n = 0; n < 30; n++) {
      const batch = [event(n), event(n + 1000)];
      written.push(...batch);
      await col.insertOne(outboxFields(batch));
    }
    relayWith(connection(), 'replicas', { pollIntervalMs: 50 });
    relayWith(connection(), 'replicas', { pollIntervalMs: 50 });
    relayWith(connection(), 'replicas', { pollIntervalMs: 50 });
    await eventually(async () => (received.length >= 60 ? true : undefined), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toHaveLength(60);
    expect(new Set(receivedIds())).toEqual(new Set(ids(written)));
    // Order within each document survives concurrent replicas.
    for (let n = 0; n < 30; n++) {
      const ordered = receivedIds().filter((id) => id === written[2 * n]!.id || id === written[2 * n + 1]!.id);
      expect(ordered).toEqual([written[2 * n]!.id, written[2 * n + 1]!.id]);
    }
  });

  it('keeps an unroutable event pending and publishes it once a queue is bound', async () => {
    const lonely = `test-${randomUUID().slice(0, 8)}.unbound`;
    const col = database.db.collection('unroutable');
    const e = event(1);
    await col.insertOne(outboxFields([e]));
    const relay = relayWith(connection(), 'unroutable', { exchange: lonely, unroutableMaxDelayMs: 300 });
    // The broker confirms an unroutable message after returning it: without `mandatory` it was lost here.
    await eventually(async () => (relay.stats().returned >= 2 ? true : undefined), 10_000);
    const doc = await col.findOne({});
    expect((doc?.[OUTBOX_FIELD] as EventEnvelope[]).map((x) => x.id)).toEqual([e.id]);
    expect(doc?.[OUTBOX_DUE_FIELD]).toBeInstanceOf(Date);
    expect(relay.stats().published).toBe(0);

    const channel = await observer.createChannel();
    cleanups.push(() => channel.deleteExchange(lonely).then(() => channel.close()));
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, lonely, '#');
    const got: string[] = [];
    await channel.consume(queue, (msg) => msg && got.push(msg.properties.messageId as string), { noAck: true });
    await eventually(async () => (got.length === 1 ? true : undefined), 10_000);
    expect(got).toEqual([e.id]);
    await eventually(async () => ((await col.findOne({}))?.[OUTBOX_DUE_FIELD] === undefined ? true : undefined));
    expect((await col.findOne({}))?.[OUTBOX_FIELD]).toEqual([]);
  });

  it('recovers when a publish closes its channel (exchange deleted under it) and loses nothing', async () => {
    const doomed = `test-${randomUUID().slice(0, 8)}.doomed`;
    const col = database.db.collection('doomed');
    const channel = await observer.createChannel();
    cleanups.push(() => channel.deleteExchange(doomed).then(() => channel.close()));
    await channel.assertExchange(doomed, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, doomed, '#');
    const got: string[] = [];
    await channel.consume(queue, (msg) => msg && got.push(msg.properties.messageId as string), { noAck: true });
    const relay = relayWith(connection(), 'doomed', { exchange: doomed, unroutableMaxDelayMs: 300 });
    const written: EventEnvelope[] = [];
    const write = async (n: number) => {
      const e = event(n);
      written.push(e);
      await col.insertOne(outboxFields([e]));
      announceOutboxWrite('doomed');
    };
    for (let n = 0; n < 5; n++) await write(n);
    await eventually(async () => (got.length === 5 ? true : undefined));

    // The next publish goes to a missing exchange: RabbitMQ closes the relay's channel (404).
    await channel.deleteExchange(doomed);
    for (let n = 5; n < 10; n++) await write(n);
    // The relay's new channel declared the exchange again; bind the queue back to it.
    await eventually(async () => {
      // A check of a missing exchange closes the channel it runs on: use a throwaway one.
      const probe = await observer.createChannel();
      probe.on('error', () => undefined);
      await probe.checkExchange(doomed);
      await probe.close();
      return true;
    }, 10_000);
    await channel.bindQueue(queue, doomed, '#');
    await eventually(async () => (new Set(got).size === 10 ? true : undefined), 15_000);
    expect(new Set(got)).toEqual(new Set(ids(written)));
    expect(got.filter((id) => ids(written.slice(0, 5)).includes(id))).toHaveLength(5);
    expect(relay.stats().failures + relay.stats().returned).toBeGreaterThan(0);
    await eventually(async () =>
      (await col.countDocuments({ [OUTBOX_DUE_FIELD]: { $exists: true } })) === 0 ? true : undefined,
    );
  });

  it('releases its leases when the database fails after publishing', async () => {
    const col = database.db.collection('dberror');
    const e = event(1);
    await col.insertOne({ deletedAt: new Date(), ...outboxFields([e]) });
    // A filter the server refuses: the write after the confirm fails, as a database error would.
    const relay = relayWith(connection(), 'dberror', {
      leaseMs: 60_000,
      removeWhenDrained: { dberror: { deletedAt: { $bogus: 1 } } },
    });
    announceOutboxWrite('dberror');
    await eventually(async () => (relay.stats().failures >= 1 && received.length >= 1 ? true : undefined), 10_000);
    // Before: the batch's leases stayed for the whole lease (a minute here), blocking every replica.
    await eventually(
      async () => ((await database.db.collection(OUTBOX_LEASES).countDocuments({ scope: 'dberror' })) === 0 ? true : undefined),
      3_000,
    );
    expect(receivedIds()).toContain(e.id);
  });

  it('renews its leases while the broker is slow to confirm, so a second relay does not publish the same documents', async () => {
    const proxy = await startTcpProxy(testEnv.amqpUrl);
    cleanups.push(() => proxy.close());
    const col = database.db.collection('slowconfirm');
    const extra = { leaseMs: 400, pollIntervalMs: 50, maxSweepIntervalMs: 100 };
    const a = relayWith(connection(proxy.url), 'slowconfirm', extra);
    const b = relayWith(connection(proxy.url), 'slowconfirm', extra);
    // Warm-up: both channels open before the broker turns slow.
    const warm = event(0);
    await col.insertOne(outboxFields([warm]));
    await eventually(async () => (receivedIds().includes(warm.id) ? true : undefined), 10_000);
    await Promise.all([a.drain(), b.drain()]);
    proxy.delayReplies(1_500);
    const written: EventEnvelope[] = [];
    const docIds: ObjectId[] = [];
    for (let n = 1; n <= 10; n++) {
      const e = event(n);
      written.push(e);
      const _id = new ObjectId();
      docIds.push(_id);
      await col.insertOne({ _id, ...outboxFields([e]) });
    }
    announceOutboxWrite('slowconfirm', docIds);
    await eventually(async () => (ids(written).every((id) => receivedIds().includes(id)) ? true : undefined), 15_000);
    // Long enough for a second publish of a lapsed lease to arrive.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const got = receivedIds().filter((id) => ids(written).includes(id));
    expect(got.length - new Set(got).size).toBe(0);
    expect(got).toHaveLength(10);
  }, 40_000);

  it('settles a full batch handed over at once without stalling the database (FerretDB v1, 100 statements)', async () => {
    // A private FerretDB: before the fix, the settle of 50 documents (2 statements each, one command)
    // held all 100 of its SQLite connections and waited for itself; every database stopped answering.
    const ferret = await privateFerretDb();
    cleanups.push(() => ferret.dispose());
    await ferret.start();
    const client = new MongoClient(ferret.uri, { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 });
    cleanups.push(() => client.close());
    const db = client.db('relay_full_batch');
    const col = db.collection('full');
    const written = Array.from({ length: 60 }, (_, n) => event(n));
    const docIds = written.map(() => new ObjectId());
    await col.insertMany(written.map((e, i) => ({ _id: docIds[i], ...outboxFields([e]) })));
    relayWith(connection(), 'full', { db, batchSize: 50 });
    announceOutboxWrite('full', docIds);

    await eventually(
      async () => (receivedIds().filter((id) => ids(written).includes(id)).length === 60 ? true : undefined),
      30_000,
    );
    await eventually(async () =>
      (await col.countDocuments({ [OUTBOX_DUE_FIELD]: { $exists: true } })) === 0 ? true : undefined,
    );
    // Still answering, for a collection it has not seen yet (the registry lock a stall would hold).
    await db.collection('after').insertOne({ ok: true });
    expect(await db.collection('after').countDocuments()).toBe(1);
  }, 60_000);
});
