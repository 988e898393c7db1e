import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Db, Document, Filter, IndexDescription } from 'mongodb';
import type { AmqpConnection, Channel, ConfirmChannel } from '@little-ecom/amqp';
import type { Logger } from '@little-ecom/logger';
import { documentKey, serializedWrite } from '@little-ecom/mongo';
import { EVENTS_EXCHANGE, OUTBOX_FIELD, type EventEnvelope } from './envelope.js';
import { createLeases } from './lease.js';
import { onOutboxWrite } from './signal.js';
import { createWakeup } from './wakeup.js';
import { publishOptions } from './wire.js';

/** Collection (in the producer's database) holding the relays' leases, one per document being published. */
export const OUTBOX_LEASES = 'outbox_leases';

/** Index that lets the relay find documents with pending events without scanning; add it to every outbox collection. */
export const outboxIndex: IndexDescription = { key: { [`${OUTBOX_FIELD}.id`]: 1 }, name: 'outbox_pending' };

/** Declares the events exchange (idempotent): durable topic exchange. */
export async function declareEventsExchange(channel: Channel, exchange = EVENTS_EXCHANGE): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

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
}

export interface OutboxRelay {
  /** Wakes the relay now (e.g. after a local write). */
  notify(): void;
  /** Publishes until no claimable document is left; for tests and scripts. Returns the number of events published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxDocument {
  _id: unknown;
  [OUTBOX_FIELD]?: EventEnvelope[];
}

/**
 * Publishes the events that writes left in documents' outbox arrays, at least once and in order per
 * document. A replica claims one document at a time with a lease (a unique insert into
 * `outbox_leases` that expires), so replicas do not publish the same document concurrently; it publishes the document's events on a
 * confirm channel and removes them only after the broker confirmed all of them. A crash at any point
 * leaves the events in the document for the next attempt: duplicates are possible, losses are not.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, collections, connection, logger } = options;
  const exchange = options.exchange ?? EVENTS_EXCHANGE;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 50;
  const owner = options.owner ?? `relay-${randomUUID()}`;
  const log = logger;

  let channel: ConfirmChannel | null = null;
  let published = 0;
  const wakeup = createWakeup();
  const notify = () => wakeup.wake();

  const unsubscribe = onOutboxWrite((collection) => {
    if (collections.includes(collection)) notify();
  });

  void connection.onConnect(async (model) => {
    const next = await model.createConfirmChannel();
    next.on('error', (error: Error) => log.warn('relay channel error', { err: error }));
    next.on('close', () => {
      if (channel === next) channel = null;
    });
    await declareEventsExchange(next, exchange);
    channel = next;
    notify();
  });

  const leases = createLeases(db, options.leaseCollection ?? OUTBOX_LEASES, owner, leaseMs);

  const leaseKey = (collection: string, id: unknown) => `${collection}:${String(id)}`;

  /** Finds documents with pending events and leases those no other replica holds (up to `batchSize`). */
  async function claim(collection: string): Promise<OutboxDocument[]> {
    const col = db.collection<OutboxDocument>(collection);
    const candidates = await col
      .find({ [`${OUTBOX_FIELD}.0`]: { $exists: true } } as Filter<OutboxDocument>, { projection: { _id: 1 } })
      .limit(batchSize)
      .toArray();
    if (candidates.length === 0) return [];
    const held = await leases.acquireMany(candidates.map(({ _id }) => leaseKey(collection, _id)));
    const ids = candidates.filter(({ _id }) => held.has(leaseKey(collection, _id))).map(({ _id }) => _id);
    if (ids.length === 0) return [];
    // Re-read under the leases: an outbox may have been drained or grown since the scan.
    const docs = await col.find({ _id: { $in: ids } } as Filter<OutboxDocument>).toArray();
    const pending = docs.filter((doc) => doc[OUTBOX_FIELD]?.length);
    const empty = ids.filter((id) => !pending.some((doc) => doc._id === id || String(doc._id) === String(id)));
    if (empty.length > 0) await leases.releaseMany(empty.map((id) => leaseKey(collection, id)));
    return pending;
  }

  async function publishAll(target: ConfirmChannel, events: EventEnvelope[]): Promise<void> {
    for (const event of events) {
      const ok = target.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), publishOptions(event));
      if (!ok) await once(target, 'drain');
    }
    // Rejects when the broker nacks any of them or the channel closes before confirming.
    await target.waitForConfirms();
  }

  /**
   * Claims a batch of documents of `collection` and publishes their events: each document's in
   * order, all of them before one wait for the broker's confirms. False when none was pending.
   */
  async function relayBatch(collection: string, target: ConfirmChannel): Promise<boolean> {
    const docs = await claim(collection);
    if (docs.length === 0) return false;
    const keys = docs.map((doc) => leaseKey(collection, doc._id));
    const col = db.collection<OutboxDocument>(collection);
    try {
      await publishAll(
        target,
        docs.flatMap((doc) => doc[OUTBOX_FIELD] ?? []),
      );
    } catch (error) {
      // Let the next attempt (ours after reconnecting, or another replica's) start without waiting for the lease.
      await leases.releaseMany(keys).catch(() => undefined);
      throw error;
    }
    // Confirmed: now, and only now, the events leave their documents. $pullAll removes exactly the
    // elements published; anything appended meanwhile stays for the next round.
    const removeFilter = options.removeWhenDrained?.[collection];
    for (const doc of docs) {
      const events = doc[OUTBOX_FIELD] ?? [];
      // Queued behind this process's other writes to the document (see serializedWrite: FerretDB).
      await serializedWrite(documentKey(collection, doc._id), () =>
        col.updateOne({ _id: doc._id } as Filter<OutboxDocument>, { $pullAll: { [OUTBOX_FIELD]: events } }),
      );
      published += events.length;
      for (const event of events) log.debug('event published', { eventType: event.type, eventId: event.id });
    }
    if (removeFilter) {
      await col.deleteMany({
        ...removeFilter,
        _id: { $in: docs.map((doc) => doc._id) },
        [OUTBOX_FIELD]: { $size: 0 },
      } as unknown as Filter<OutboxDocument>);
    }
    await leases.releaseMany(keys);
    return true;
  }

  /** One pass over every collection; true when anything was published. */
  async function sweep(): Promise<boolean> {
    let progressed = false;
    for (const collection of collections) {
      // Bounded per pass so one busy collection cannot starve the others.
      for (let i = 0; i < 20 && !wakeup.stopped; i++) {
        const target = channel;
        if (!target) return progressed;
        if (!(await relayBatch(collection, target))) break;
        progressed = true;
      }
    }
    return progressed;
  }

  let failures = 0;
  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let progressed = false;
      try {
        if (channel) progressed = await sweep();
        failures = 0;
      } catch (error) {
        failures++;
        log.warn('outbox relay pass failed, will retry', { err: error, attempts: failures });
        await wakeup.sleep(Math.min(100 * 2 ** failures, pollIntervalMs));
        continue;
      }
      if (!progressed) await wakeup.sleep(pollIntervalMs);
    }
  })();

  return {
    notify,
    async drain() {
      const before = published;
      await connection.ready();
      for (let i = 0; i < 1_000; i++) {
        const target = channel ?? (await waitForChannel());
        let any = false;
        for (const collection of collections) {
          while (await relayBatch(collection, target)) any = true;
        }
        if (!any) break;
      }
      return published - before;
    },
    async stop() {
      unsubscribe();
      wakeup.stop();
      await loop;
      const current = channel;
      channel = null;
      await current?.close().catch(() => undefined);
    },
  };

  async function waitForChannel(): Promise<ConfirmChannel> {
    for (let i = 0; i < 300; i++) {
      if (channel) return channel;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('outbox relay has no channel');
  }
}
