import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db, Document, Filter } from 'mongodb';
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
import { chunkedBulkWrite, documentKey, serializedWrite, serializedWrites } from '@little-ecom/mongo';
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
  /**
   * How often the recovery sweep looks for pending events nobody handed over (other replicas' writes,
   * a crash's leftovers) while it finds some; it backs off to `maxSweepIntervalMs` while it finds none.
   */
  pollIntervalMs?: number;
  /** How long a claimed document stays reserved; a crashed holder's lease lapses after this. */
  leaseMs?: number;
  /** Per collection: documents matching this are deleted once their outbox is drained (soft-deleted aggregates). */
  removeWhenDrained?: Record<string, Filter<Document>>;
  /** Documents claimed and published per confirm round trip. */
  batchSize?: number;
  /** Most events published per confirm round trip (a document with more goes out over several batches). */
  maxBatchEvents?: number;
  /** Longest wait between two recovery sweeps when they find nothing (the wait doubles from `pollIntervalMs`). */
  maxSweepIntervalMs?: number;
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

/** Documents leased for one batch, read by `_id`, and the leases' keys. */
interface Claimed {
  docs: OutboxDocument[];
  keys: string[];
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
  const maxBatchEvents = options.maxBatchEvents ?? 200;
  const maxSweepIntervalMs = Math.max(options.maxSweepIntervalMs ?? 30_000, pollIntervalMs);
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
  /** Per collection, the documents writers of this process handed over and the relay has not published yet. */
  const hot = new Map<string, Map<string, unknown>>();
  const hotIds = (collection: string) => {
    let ids = hot.get(collection);
    if (!ids) hot.set(collection, (ids = new Map<string, unknown>()));
    return ids;
  };
  const idKey = (id: unknown) => documentKey('', id);
  /** Set when a sweep should run at the next round (a write without ids, a reconnect, a failure). */
  let sweepRequested = true;

  const unsubscribe = onOutboxWrite((collection, ids) => {
    if (!collections.includes(collection)) return;
    if (ids) for (const id of ids) hotIds(collection).set(idKey(id), id);
    else sweepRequested = true;
    notify();
  });

  // The producer declares what it publishes to; the channel rebuilds itself after any close.
  const managed = createManagedChannel<ConfirmChannel>(connection, {
    name: 'outbox-relay',
    confirm: true,
    logger: log,
    async setup(channel) {
      await declareEventsExchange(channel, exchange);
      // Whatever waited while there was no channel.
      sweepRequested = true;
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
  async function claimDue(collection: string): Promise<Claimed> {
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
    return claimIds(
      collection,
      candidates.map(({ _id }) => _id),
    );
  }

  /**
   * Leases the documents `ids` (those nobody else holds) and reads them by `_id`: the hot path, two
   * commands for the whole batch. Documents whose outbox is empty by now are released at once.
   */
  async function claimIds(collection: string, ids: unknown[]): Promise<Claimed> {
    if (ids.length === 0) return { docs: [], keys: [] };
    const keys = ids.map((id) => leaseKey(collection, id));
    const held = await leases.acquireMany(keys, { scope: collection, refs: ids });
    const mine = ids.filter((id) => held.has(leaseKey(collection, id)));
    if (mine.length === 0) return { docs: [], keys: [] };
    // Read under the leases: an outbox may have been drained or grown since the write or the scan.
    const docs = await outbox(collection)
      .find(filterOf({ _id: { $in: mine } }))
      .toArray();
    return { docs, keys: mine.map((id) => leaseKey(collection, id)) };
  }

  /**
   * Claims a batch of `collection` (the documents `ids`, or the oldest due ones when `ids` is absent)
   * and publishes their events: each document's in order, at most `maxBatchEvents` in all, then one
   * wait for the broker's confirms and one bulk write that removes what was confirmed. The leases are
   * renewed while the broker is slow and released whatever happens. False when nothing was published.
   */
  async function relayBatch(collection: string, target: ConfirmChannel, ids?: unknown[]): Promise<boolean> {
    const { docs, keys } = ids ? await claimIds(collection, ids) : await claimDue(collection);
    if (keys.length === 0) return false;
    try {
      return await publishClaimed(collection, target, docs);
    } finally {
      // Also after a failure: let the next attempt (ours, or another replica's) start without waiting for the lease.
      await leases.releaseMany(keys).catch((error: unknown) => log.warn('outbox leases not released', { err: error }));
    }
  }

  async function publishClaimed(collection: string, target: ConfirmChannel, docs: OutboxDocument[]): Promise<boolean> {
    // The cap: a document's events beyond it wait for the next batch (a prefix leaves, so order holds).
    let budget = maxBatchEvents;
    const slices = docs.map((doc) => {
      const events = (doc[OUTBOX_FIELD] ?? []).slice(0, Math.max(budget, 0));
      budget -= events.length;
      return { doc, events, all: events.length === (doc[OUTBOX_FIELD]?.length ?? 0) };
    });
    const events = slices.flatMap((slice) => slice.events);
    let outcome: { routed: Set<string>; returned: Set<string>; unconfirmed: boolean };
    if (events.length === 0) {
      outcome = { routed: new Set(), returned: new Set(), unconfirmed: false };
    } else {
      // One producer span per event, a child of the request that wrote it (its stored traceparent).
      const spans = startPublishSpans(events, exchange);
      // A broker slower than the lease must not let another replica publish the same documents.
      const renewal = setInterval(
        () => {
          void leases
            .renewMany(docs.map((doc) => leaseKey(collection, doc._id)))
            .then((n) => {
              if (n < docs.length) log.warn('outbox leases lost while publishing', { collection, held: n, of: docs.length });
            })
            .catch(() => undefined);
        },
        Math.max(leaseMs / 3, 10),
      );
      try {
        const messages = events.map((event) => ({
          exchange,
          routingKey: event.type,
          content: messageBody(event),
          options: publishOptions(event, spans.headers(event)),
        }));
        const result = await publishMandatory(target, messages, confirmTimeoutMs);
        spans.end(result.returned);
        counters.confirmed(result.routed.length + result.returned.length);
        outcome = { routed: new Set(result.routed), returned: new Set(result.returned), unconfirmed: false };
      } catch (error) {
        spans.fail(error);
        counters.failed(events.length);
        if (!(error instanceof ConfirmTimeoutError)) throw error;
        // Unknown confirms: this channel is no use any more. What it did confirm is removed below,
        // so a retry publishes only the rest, not the whole batch again.
        managed.reopen(error.message);
        stats.failures++;
        log.warn('broker confirms timed out, the unconfirmed events stay', {
          collection,
          confirmed: error.settled.routed.length + error.settled.returned.length,
          of: events.length,
        });
        outcome = { routed: new Set(error.settled.routed), returned: new Set(error.settled.returned), unconfirmed: true };
      } finally {
        clearInterval(renewal);
      }
    }
    const progressed = await settle(collection, slices, outcome);
    // Events beyond the cap, or not confirmed: handed back to the hot path.
    for (const slice of slices)
      if (!slice.all || outcome.unconfirmed) hotIds(collection).set(idKey(slice.doc._id), slice.doc._id);
    return progressed;
  }

  /** Removes the routed events and sets the markers of a batch in one bulk write (by `_id` only, chunked). */
  async function settle(
    collection: string,
    slices: { doc: OutboxDocument; events: EventEnvelope[]; all: boolean }[],
    outcome: { routed: Set<string>; returned: Set<string> },
  ): Promise<boolean> {
    const col = outbox(collection);
    const ops: AnyBulkWriteOperation<OutboxDocument>[] = [];
    let batchPublished = 0;
    let oldest = Date.now();
    const drainedIds: unknown[] = [];
    for (const { doc, events, all } of slices) {
      const key = leaseKey(collection, doc._id);
      // Only a prefix of confirmed, routed events leaves: the rest waits behind the first that did not, in order.
      const firstOpen = events.findIndex((event) => !outcome.routed.has(event.id));
      const done = firstOpen === -1 ? events : events.slice(0, firstOpen);
      if (done.length > 0) {
        ops.push({ updateOne: { filter: filterOf({ _id: doc._id }), update: { $pullAll: { [OUTBOX_FIELD]: done } } } });
        stats.published += done.length;
        counters.published(done);
        batchPublished += done.length;
        for (const event of done) oldest = Math.min(oldest, Date.parse(event.occurredAt) || oldest);
        for (const event of done) log.debug('event published', { eventType: event.type, eventId: event.id });
      }
      const stuck = firstOpen === -1 ? undefined : events[firstOpen];
      if (!stuck || !outcome.returned.has(stuck.id)) {
        unroutable.delete(key);
        // Removed only if the outbox is (still) empty; an append in between keeps it.
        if (all && !stuck) {
          ops.push({
            updateOne: {
              filter: filterOf({ _id: doc._id, [OUTBOX_FIELD]: { $size: 0 } }),
              update: { $unset: { [OUTBOX_DUE_FIELD]: '' } },
            },
          });
          drainedIds.push(doc._id);
        }
        continue;
      }
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
      ops.push({
        updateOne: {
          filter: filterOf({ _id: doc._id }),
          update: { $set: { [OUTBOX_DUE_FIELD]: new Date(Date.now() + delayMs) } },
        },
      });
    }
    if (ops.length > 0) {
      // Queued behind this process's other writes to these documents (see serializedWrite: FerretDB).
      const docKeys = slices.map(({ doc }) => documentKey(collection, doc._id));
      // In commands of a few statements: one of up to 2 per document of a full batch stalls FerretDB v1.
      await serializedWrites(docKeys, () => chunkedBulkWrite(col, ops, { ordered: true }));
    }
    const removeFilter = options.removeWhenDrained?.[collection];
    // Only documents that have every field the filter names can match it: skip the command otherwise.
    const removable = removeFilter
      ? slices.filter(({ doc }) => drainedIds.includes(doc._id) && Object.keys(removeFilter).every((f) => f in doc))
      : [];
    if (removeFilter && removable.length > 0) {
      await col.deleteMany({
        ...removeFilter,
        _id: { $in: removable.map(({ doc }) => doc._id) },
        [OUTBOX_FIELD]: { $size: 0 },
      } as unknown as Filter<OutboxDocument>);
    }
    // One line per batch, not per event: the outbox lag panel charts lagMs (write to publish of the oldest).
    if (batchPublished > 0) log.info('outbox events published', { count: batchPublished, lagMs: Date.now() - oldest });
    return batchPublished > 0;
  }

  /** Publishes the documents writers of this process handed over, by `_id`; true when anything was published. */
  async function relayHot(): Promise<boolean> {
    let progressed = false;
    for (const collection of collections) {
      const pending = hotIds(collection);
      // Bounded per pass so one busy collection cannot starve the others.
      for (let i = 0; i < 20 && pending.size > 0 && !wakeup.stopped; i++) {
        const target = managed.current();
        if (!target) return progressed;
        const ids = [...pending.values()].slice(0, batchSize);
        for (const id of ids) pending.delete(idKey(id));
        try {
          if (await relayBatch(collection, target, ids)) progressed = true;
        } catch (error) {
          // Their markers stay: the recovery sweep finds them if we do not.
          sweepRequested = true;
          throw error;
        }
      }
    }
    return progressed;
  }

  /** The recovery sweep: one pass over every collection's due documents; true when anything was published. */
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
  // The sweep runs every `pollIntervalMs` while it finds work, and backs off (doubling, up to
  // `maxSweepIntervalMs`) while it finds none: at rest the relay costs a query every half minute.
  let sweepDelayMs = pollIntervalMs;
  let nextSweepAt = 0;
  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let progressed = false;
      try {
        await scanUnmarked();
        if (managed.current()) {
          progressed = await relayHot();
          if (sweepRequested || Date.now() >= nextSweepAt) {
            sweepRequested = false;
            const found = await sweep();
            progressed ||= found;
            sweepDelayMs = found ? pollIntervalMs : Math.min(sweepDelayMs * 2, maxSweepIntervalMs);
            nextSweepAt = Date.now() + sweepDelayMs;
          }
        }
        failures = 0;
      } catch (error) {
        failures++;
        stats.failures++;
        sweepRequested = true;
        log.warn('outbox relay pass failed, will retry', { err: error, attempts: failures });
        await wakeup.sleep(Math.min(100 * 2 ** failures, pollIntervalMs));
        continue;
      }
      if (!progressed) await wakeup.sleep(managed.current() ? Math.max(nextSweepAt - Date.now(), 0) : pollIntervalMs);
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

/** Outbox ids are whatever the producer uses (ObjectId, string): the driver's types cannot know. */
const filterOf = (filter: Document) => filter as Filter<OutboxDocument>;

/** Declares the events exchange (idempotent): durable topic exchange. */
export async function declareEventsExchange(channel: Channel, exchange = EVENTS_EXCHANGE): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}
