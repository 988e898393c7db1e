import { randomUUID } from 'node:crypto';
import type { Collection, Db, Document, Filter } from 'mongodb';
import {
  ConfirmTimeoutError,
  createManagedChannel,
  publishMandatory,
  type AmqpConnection,
  type Channel,
  type ConfirmChannel,
} from '@little-ecom/amqp';
import { createLeases, createWakeup } from '@little-ecom/coordination';
import type { Logger } from '@little-ecom/logger';
import { documentKey, serializedWrite } from '@little-ecom/mongo';
import type { Metrics } from '@little-ecom/telemetry';
import { EVENTS_EXCHANGE, OUTBOX_FIELD, type EventEnvelope } from './envelope.js';
import { OUTBOX_DUE_FIELD } from './outbox.js';
import { onOutboxWrite } from './signal.js';
import { outboxGauges, relayMetrics, startPublishSpans } from './observability.js';
import { messageBody, publishOptions } from './wire.js';

/** Collection (in the producer's database) holding the relays' leases, one per document being published. */
export const OUTBOX_LEASES = 'outbox_leases';

export interface OutboxRelayOptions {
  db: Db;
  /** Collections whose documents carry an outbox array. */
  collections: string[];
  connection: AmqpConnection;
  logger: Logger;
  exchange?: string;
  /** How often to look for pending events when nothing woke the relay. */
  pollIntervalMs?: number;
  /** How long a claimed document stays reserved; a crashed holder's lease lapses after this. */
  leaseMs?: number;
  /** Per collection: documents matching this are deleted once their outbox is drained (soft-deleted aggregates). */
  removeWhenDrained?: Record<string, Filter<Document>>;
  /** Documents claimed and published per confirm round trip. */
  batchSize?: number;
  /** Where leases live; `outbox_leases` by default. */
  leaseCollection?: string;
  /** Identifies this replica in leases; random by default. */
  owner?: string;
  /** Longest wait for the broker's confirms (and for the socket to drain) before the batch counts as failed. */
  confirmTimeoutMs?: number;
  /** Longest wait before an unroutable document is tried again (the wait doubles from 1 s up to this). */
  unroutableMaxDelayMs?: number;
  /** How often to look for documents with events but no pending marker (written by an older version). */
  unmarkedScanIntervalMs?: number;
  /** The service's metrics: publishes, returns, confirms, and the outbox backlog (see observability.ts). */
  metrics?: Metrics;
}

/** What the relay did so far: logged, and shown in health detail. */
export interface OutboxRelayStats {
  published: number;
  /** Events the broker returned because no queue was bound for them; they stay in the outbox. */
  returned: number;
  /** Passes that failed (broker or database trouble) and were retried. */
  failures: number;
}

export interface OutboxRelay {
  /** Wakes the relay now (e.g. after a local write). */
  notify(): void;
  /** Publishes until no claimable document is left; for tests and scripts. Returns the number of events published. */
  drain(): Promise<number>;
  stats(): OutboxRelayStats;
  stop(): Promise<void>;
}

interface OutboxDocument {
  _id: unknown;
  [OUTBOX_FIELD]?: EventEnvelope[];
  [OUTBOX_DUE_FIELD]?: Date;
}

/**
 * Publishes the events that writes left in documents' outbox arrays, at least once and in order per
 * document.
 *
 * - Work is found through the pending marker (`outboxDueAt`, indexed), oldest first.
 * - A replica claims documents with leases (unique inserts into `outbox_leases` that expire) and
 *   skips documents other replicas hold, so replicas work on different documents.
 * - Events go out `mandatory` on a confirm channel and leave the document only after the broker
 *   confirmed them and routed them to a queue. A returned (unroutable) event stays, and its document
 *   is tried again later with a growing delay; so does everything after it in that document, to keep
 *   the order.
 * - Reads and writes use majority concerns: on a replica set the relay only publishes events whose
 *   write is majority-committed (a write rolled back by a failover is never announced).
 *
 * A crash at any point leaves the events in the document for the next attempt: duplicates are
 * possible (consumers are idempotent), losses are not.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, collections, connection, logger } = options;
  const exchange = options.exchange ?? EVENTS_EXCHANGE;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 50;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
  const unroutableMaxDelayMs = options.unroutableMaxDelayMs ?? 30_000;
  const unmarkedScanIntervalMs = options.unmarkedScanIntervalMs ?? 10 * 60_000;
  const owner = options.owner ?? `relay-${randomUUID()}`;
  const log = logger;
  const stats: OutboxRelayStats = { published: 0, returned: 0, failures: 0 };
  /** Consecutive unroutable attempts per document, for its backoff. */
  const unroutable = new Map<string, number>();
  const counters = relayMetrics(options.metrics);
  if (options.metrics) outboxGauges(options.metrics, db, collections);

  const wakeup = createWakeup();
  const notify = () => wakeup.wake();

  const unsubscribe = onOutboxWrite((collection) => {
    if (collections.includes(collection)) notify();
  });

  // The producer declares what it publishes to; the channel rebuilds itself after any close.
  const managed = createManagedChannel<ConfirmChannel>(connection, {
    name: 'outbox-relay',
    confirm: true,
    logger: log,
    async setup(channel) {
      await declareEventsExchange(channel, exchange);
      notify();
    },
  });

  const leases = createLeases(db, options.leaseCollection ?? OUTBOX_LEASES, owner, leaseMs);
  const leaseKey = (collection: string, id: unknown) => `${collection}:${String(id)}`;
  const outbox = (collection: string): Collection<OutboxDocument> =>
    db.collection<OutboxDocument>(collection, { writeConcern: { w: 'majority' }, readConcern: { level: 'majority' } });
  const write = <T>(collection: string, id: unknown, run: () => Promise<T>) =>
    // Queued behind this process's other writes to the document (see serializedWrite: FerretDB).
    serializedWrite(documentKey(collection, id), run);

  /** Gives documents written before the pending marker existed (or by an older replica) their marker. */
  async function markUnmarked(collection: string): Promise<void> {
    const col = outbox(collection);
    const unmarked = await col
      .find({ [`${OUTBOX_FIELD}.0`]: { $exists: true }, [OUTBOX_DUE_FIELD]: { $exists: false } } as Filter<OutboxDocument>, {
        projection: { _id: 1 },
      })
      .limit(10_000)
      .toArray();
    for (const { _id } of unmarked) {
      await write(collection, _id, () =>
        col.updateOne(
          { _id, [OUTBOX_DUE_FIELD]: { $exists: false } },
          {
            $set: { [OUTBOX_DUE_FIELD]: new Date(0) },
          },
        ),
      );
    }
    if (unmarked.length > 0) log.info('outbox documents without pending marker found', { collection, count: unmarked.length });
  }

  /** Finds due documents no other replica holds, oldest first, and leases up to `batchSize` of them. */
  async function claim(collection: string): Promise<OutboxDocument[]> {
    const col = outbox(collection);
    const busy = await leases.heldRefs(collection);
    const filter: Filter<OutboxDocument> = { [OUTBOX_DUE_FIELD]: { $lte: new Date() } };
    const candidates = await col
      .find(busy.length > 0 ? ({ $and: [filter, { _id: { $nin: busy } }] } as Filter<OutboxDocument>) : filter, {
        projection: { _id: 1 },
      })
      .sort({ [OUTBOX_DUE_FIELD]: 1 })
      .limit(batchSize)
      .toArray();
    if (candidates.length === 0) return [];
    const keys = candidates.map(({ _id }) => leaseKey(collection, _id));
    const held = await leases.acquireMany(keys, { scope: collection, refs: candidates.map(({ _id }) => _id) });
    const ids = candidates.filter(({ _id }) => held.has(leaseKey(collection, _id))).map(({ _id }) => _id);
    if (ids.length === 0) return [];
    // Re-read under the leases: an outbox may have been drained or grown since the scan.
    const docs = await col.find({ _id: { $in: ids } } as Filter<OutboxDocument>).toArray();
    const pending = docs.filter((doc) => doc[OUTBOX_FIELD]?.length);
    for (const doc of docs.filter((d) => !d[OUTBOX_FIELD]?.length)) await clearMarker(collection, doc._id);
    const empty = ids.filter((id) => !pending.some((doc) => String(doc._id) === String(id)));
    if (empty.length > 0) await leases.releaseMany(empty.map((id) => leaseKey(collection, id)));
    return pending;
  }

  /** Removes the marker if the outbox is (still) empty; an append in between keeps it. */
  async function clearMarker(collection: string, id: unknown): Promise<void> {
    await write(collection, id, () =>
      outbox(collection).updateOne({ _id: id, [OUTBOX_FIELD]: { $size: 0 } } as Filter<OutboxDocument>, {
        $unset: { [OUTBOX_DUE_FIELD]: '' },
      }),
    );
  }

  /**
   * Claims a batch of documents of `collection` and publishes their events: each document's in
   * order, all of them before one wait for the broker's confirms. False when nothing was published.
   */
  async function relayBatch(collection: string, target: ConfirmChannel): Promise<boolean> {
    const docs = await claim(collection);
    if (docs.length === 0) return false;
    const keys = docs.map((doc) => leaseKey(collection, doc._id));
    const col = outbox(collection);
    let outcome;
    const events = docs.flatMap((doc) => doc[OUTBOX_FIELD] ?? []);
    // One producer span per event, a child of the request that wrote it (its stored traceparent).
    const spans = startPublishSpans(events, exchange);
    try {
      const messages = events.map((event) => ({
        exchange,
        routingKey: event.type,
        content: messageBody(event),
        options: publishOptions(event, spans.headers(event)),
      }));
      outcome = await publishMandatory(target, messages, confirmTimeoutMs);
      spans.end(outcome.returned);
      counters.confirmed(outcome.routed.length + outcome.returned.length);
    } catch (error) {
      spans.fail(error);
      counters.failed(events.length);
      // Unknown confirms: this channel is no use any more.
      if (error instanceof ConfirmTimeoutError) managed.reopen(error.message);
      // Let the next attempt (ours after reconnecting, or another replica's) start without waiting for the lease.
      await leases.releaseMany(keys).catch(() => undefined);
      throw error;
    }
    const returned = new Set(outcome.returned);
    let progressed = false;
    let batchPublished = 0;
    let oldest = Date.now();
    const removeFilter = options.removeWhenDrained?.[collection];
    for (const doc of docs) {
      const events = doc[OUTBOX_FIELD] ?? [];
      // Only the events before the first unroutable one leave: later ones wait with it, in order.
      const firstReturned = events.findIndex((event) => returned.has(event.id));
      const done = firstReturned === -1 ? events : events.slice(0, firstReturned);
      if (done.length > 0) {
        await write(collection, doc._id, () =>
          col.updateOne({ _id: doc._id } as Filter<OutboxDocument>, { $pullAll: { [OUTBOX_FIELD]: done } }),
        );
        stats.published += done.length;
        counters.published(done);
        batchPublished += done.length;
        for (const event of done) oldest = Math.min(oldest, Date.parse(event.occurredAt) || oldest);
        progressed = true;
        for (const event of done) log.debug('event published', { eventType: event.type, eventId: event.id });
      }
      const key = leaseKey(collection, doc._id);
      if (firstReturned === -1) {
        unroutable.delete(key);
        await clearMarker(collection, doc._id);
        continue;
      }
      const stuck = events[firstReturned]!;
      const attempts = (unroutable.get(key) ?? 0) + 1;
      unroutable.set(key, attempts);
      stats.returned++;
      counters.returned(stuck);
      const delayMs = Math.min(1_000 * 2 ** (attempts - 1), unroutableMaxDelayMs);
      log.warn('event unroutable, kept in the outbox', {
        eventType: stuck.type,
        eventId: stuck.id,
        errorCode: 'UNROUTABLE',
        attempts,
        delayMs,
      });
      await write(collection, doc._id, () =>
        col.updateOne({ _id: doc._id } as Filter<OutboxDocument>, {
          $set: { [OUTBOX_DUE_FIELD]: new Date(Date.now() + delayMs) },
        }),
      );
    }
    if (removeFilter) {
      await col.deleteMany({
        ...removeFilter,
        _id: { $in: docs.map((doc) => doc._id) },
        [OUTBOX_FIELD]: { $size: 0 },
      } as unknown as Filter<OutboxDocument>);
    }
    await leases.releaseMany(keys);
    // One line per batch, not per event: the outbox lag panel charts lagMs (write to publish of the oldest).
    if (batchPublished > 0) log.info('outbox events published', { count: batchPublished, lagMs: Date.now() - oldest });
    return progressed;
  }

  /** One pass over every collection; true when anything was published. */
  async function sweep(): Promise<boolean> {
    let progressed = false;
    for (const collection of collections) {
      // Bounded per pass so one busy collection cannot starve the others.
      for (let i = 0; i < 20 && !wakeup.stopped; i++) {
        const target = managed.current();
        if (!target) return progressed;
        if (!(await relayBatch(collection, target))) break;
        progressed = true;
      }
    }
    return progressed;
  }

  let lastUnmarkedScan = 0;
  async function scanUnmarked(): Promise<void> {
    if (Date.now() - lastUnmarkedScan < unmarkedScanIntervalMs) return;
    for (const collection of collections) await markUnmarked(collection);
    lastUnmarkedScan = Date.now();
  }

  let failures = 0;
  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let progressed = false;
      try {
        await scanUnmarked();
        if (managed.current()) progressed = await sweep();
        failures = 0;
      } catch (error) {
        failures++;
        stats.failures++;
        log.warn('outbox relay pass failed, will retry', { err: error, attempts: failures });
        await wakeup.sleep(Math.min(100 * 2 ** failures, pollIntervalMs));
        continue;
      }
      if (!progressed) await wakeup.sleep(pollIntervalMs);
    }
  })();

  return {
    notify,
    stats: () => ({ ...stats }),
    async drain() {
      const before = stats.published;
      await connection.ready();
      await scanUnmarked();
      for (let i = 0; i < 1_000; i++) {
        const target = await managed.ready();
        let any = false;
        for (const collection of collections) {
          while (await relayBatch(collection, target)) any = true;
        }
        if (!any) break;
      }
      return stats.published - before;
    },
    async stop() {
      unsubscribe();
      wakeup.stop();
      await loop;
      await managed.close();
    },
  };
}

/** Declares the events exchange (idempotent): durable topic exchange. */
export async function declareEventsExchange(channel: Channel, exchange = EVENTS_EXCHANGE): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}
