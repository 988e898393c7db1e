import { ObjectId, type AnyBulkWriteOperation, type Db, type Filter, type IndexDescription } from 'mongodb';
import { chunkedBulkWrite, isDuplicateKeyError } from '@little-ecom/mongo';
import { traceHeaders, type TraceCarrier } from '@little-ecom/telemetry';

import type { DeliveryErrorKind } from '../delivery/errors.js';
import { MARKETING_KINDS, deliveryPriority, type EmailInput, type NotificationKind } from './templates/registry.js';

export { NOTIFICATION_KINDS, type NotificationKind } from './templates/registry.js';
export type DeliveryStatus = 'PENDING' | 'SENT' | 'FAILED' | 'CANCELLED';

/** One email to one user caused by one event; (eventId, recipientId, kind) is unique. */
export interface NotificationDocument {
  _id: ObjectId;
  eventId: string;
  recipientId: string;
  kind: NotificationKind;
  correlationId: string;
  to: string;
  subject: string;
  /**
   * What the template needs; the body is rendered when the email is sent, so a fan-out stores no
   * bodies, and dropped once it is accepted. Secrets in it are sealed (see delivery/secrets.ts).
   */
  input?: EmailInput;
  /** Bodies of notifications recorded before templates were rendered at send time. */
  text?: string;
  html?: string;
  productId?: string;
  /** The order an ORDER_* email is about. */
  orderId?: string;
  status: DeliveryStatus;
  attempts: number;
  /** Why the last attempt failed, in words fit for the user (no server text). */
  lastError?: string;
  lastErrorKind?: DeliveryErrorKind;
  /** The server's answer to the last failed attempt: for admins only. */
  lastErrorDetail?: string;
  nextAttemptAt: Date;
  /**
   * Claimed in this order, lowest first (0 transactional, 1 marketing; see `deliveryPriority`).
   * Missing on notifications recorded before it existed: those sort first.
   */
  priority?: number;
  /** Start of the retry window (creation, or the last admin retry). */
  retryFrom?: Date;
  /** Held by the worker sending it; a send is marked only while its claim holds. */
  claim?: { token: string; until: Date };
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  /** The trace of the event that caused it (W3C `traceparent`): its send span joins that trace. */
  trace?: TraceCarrier;
}

export type NewNotification = Pick<
  NotificationDocument,
  'eventId' | 'recipientId' | 'kind' | 'correlationId' | 'to' | 'subject' | 'input' | 'productId' | 'orderId'
>;

export const NOTIFICATIONS = 'notifications';
/** One row per notification being sent: the unique insert that makes a claim exclusive. */
const DELIVERY_CLAIMS = 'delivery_claims';

/** The outcome of one claimed send, stored in one batched write per round. */
export type DeliveryOutcome =
  | { id: ObjectId; result: 'SENT'; attempts: number }
  | {
      id: ObjectId;
      result: 'RETRY' | 'FAILED';
      attempts: number;
      kind: DeliveryErrorKind;
      lastError: string;
      detail: string;
      nextAttemptAt?: Date;
    }
  /** Claimed but not attempted (the circuit opened meanwhile): back in line as it was. */
  | { id: ObjectId; result: 'RELEASE' };

/** Which FAILED notifications an admin sends again. */
export interface RetryFilter {
  kind?: NotificationKind;
  errorKind?: DeliveryErrorKind;
  createdAfter?: Date;
  createdBefore?: Date;
}

function failedMatching(filter: RetryFilter): Filter<NotificationDocument> {
  const query: Filter<NotificationDocument> = { status: 'FAILED' };
  if (filter.kind) query.kind = filter.kind;
  if (filter.errorKind) query.lastErrorKind = filter.errorKind;
  if (filter.createdAfter || filter.createdBefore)
    query.createdAt = {
      ...(filter.createdAfter ? { $gte: filter.createdAfter } : {}),
      ...(filter.createdBefore ? { $lt: filter.createdBefore } : {}),
    };
  return query;
}

const claimable = (now: Date): Filter<NotificationDocument> => ({
  status: 'PENDING',
  nextAttemptAt: { $lte: now },
  $or: [{ claim: { $exists: false } }, { 'claim.until': { $lte: now } }],
});

export const notificationIndexes: IndexDescription[] = [
  // What makes redelivered events harmless: one notification per (event, recipient, kind).
  { key: { eventId: 1, recipientId: 1, kind: 1 }, name: 'event_recipient_unique', unique: true },
  { key: { recipientId: 1, _id: -1 }, name: 'recipient' },
  { key: { productId: 1, status: 1 }, name: 'product_status' },
  { key: { status: 1, nextAttemptAt: 1 }, name: 'due' },
  // The claim's order: transactional before marketing, then oldest due first.
  { key: { status: 1, priority: 1, nextAttemptAt: 1 }, name: 'due_priority' },
  { key: { status: 1, _id: -1 }, name: 'status' },
  // Admin bulk retries by kind and time.
  { key: { status: 1, kind: 1, createdAt: 1 }, name: 'status_kind_created' },
];

/** MongoDB access for notifications; no rules here. */
export function createNotificationRepository(db: Db) {
  const notifications = db.collection<NotificationDocument>(NOTIFICATIONS);
  const claims = db.collection<{ _id: ObjectId; token: string; until: Date }>(DELIVERY_CLAIMS);

  return {
    findById: (id: ObjectId) => notifications.findOne({ _id: id }),

    /**
     * Records notifications, skipping those that exist already (a redelivered event). Returns how
     * many were new.
     */
    async record(batch: NewNotification[], now = new Date()): Promise<number> {
      if (batch.length === 0) return 0;
      const trace = traceHeaders();
      const docs: NotificationDocument[] = batch.map((n) => ({
        _id: new ObjectId(),
        ...n,
        ...(trace['traceparent'] ? { trace } : {}),
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        priority: deliveryPriority(n.kind),
        retryFrom: now,
        createdAt: now,
        updatedAt: now,
      }));
      try {
        return (await notifications.insertMany(docs, { ordered: false })).insertedCount;
      } catch (error) {
        const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
        const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
        const onlyDuplicates = errors.length > 0 && errors.every((e) => (e as { code?: number }).code === 11000);
        if (isDuplicateKeyError(error) || onlyDuplicates) {
          return (error as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
        }
        throw error;
      }
    },

    /** A page (by _id, newest first) of the notifications matching `filter`. */
    page: (filter: Filter<NotificationDocument>, before: ObjectId | undefined, limit: number) =>
      notifications
        .find(before ? { $and: [filter, { _id: { $lt: before } }] } : filter)
        .sort({ _id: -1 })
        .limit(limit)
        .toArray(),

    count: (filter: Filter<NotificationDocument>) => notifications.countDocuments(filter),

    /**
     * Claims up to `limit` due notifications, transactional before marketing and oldest due first, for `token` until `until`, and returns
     * those it got: one query for ids, one update, one read. Another worker's live claim is skipped;
     * an expired one (that worker died) is taken over.
     */
    async claimDue(token: string, now: Date, until: Date, limit: number): Promise<NotificationDocument[]> {
      const ids = await notifications
        .find(claimable(now), { projection: { _id: 1 } })
        .sort({ priority: 1, nextAttemptAt: 1 })
        .limit(limit)
        .map((doc) => doc._id)
        .toArray();
      if (ids.length === 0) return [];
      // The exclusive step is a unique insert per id: FerretDB v1 keeps those atomic but not
      // conditional updates (two workers' updateMany both "win", measured: 13 duplicates in 300).
      // On MongoDB the conditional update below would be enough; the claim rows cost two writes.
      await claims.deleteMany({ _id: { $in: ids }, until: { $lte: now } });
      let won = ids;
      try {
        await claims.insertMany(
          ids.map((_id) => ({ _id, token, until })),
          { ordered: false },
        );
      } catch (error) {
        const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
        const errors = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as {
          index?: number;
          code?: number;
        }[];
        if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw error;
        const lost = new Set(errors.map((e) => e.index));
        won = ids.filter((_, i) => !lost.has(i));
      }
      if (won.length === 0) return [];
      await notifications.updateMany({ $and: [{ _id: { $in: won } }, claimable(now)] }, { $set: { claim: { token, until } } });
      return notifications.find({ _id: { $in: won }, 'claim.token': token }).toArray();
    },

    /**
     * Extends `token`'s claims on `ids` (those it still holds) to `until`, while they are being sent.
     * Only the claim rows: they are what makes a claim exclusive (another worker's insert fails on a
     * live row). The notifications are not touched: FerretDB v1 rewrites whole documents on update,
     * so a renewal racing the send's own outcome could put a SENT email back to PENDING (measured).
     */
    async renewClaims(token: string, ids: ObjectId[], until: Date): Promise<void> {
      await claims.updateMany({ _id: { $in: ids }, token }, { $set: { until } });
    },

    /** When the next pending notification becomes due, if any. */
    async nextDueAt(): Promise<Date | null> {
      const [next] = await notifications
        .find({ status: 'PENDING' }, { projection: { nextAttemptAt: 1 } })
        .sort({ nextAttemptAt: 1 })
        .limit(1)
        .toArray();
      return next?.nextAttemptAt ?? null;
    },

    /**
     * Stores the outcomes of a round in one write; each applies only while `token` still holds the
     * claim. Returns how many found their claim gone (it expired and another worker took it over).
     */
    async settle(token: string, outcomes: DeliveryOutcome[], now = new Date()): Promise<number> {
      if (outcomes.length === 0) return 0;
      const claimed = (ids: ObjectId[]) => ({ _id: { $in: ids }, 'claim.token': token });
      const ops: AnyBulkWriteOperation<NotificationDocument>[] = [];
      // The common outcomes in one update each, whatever the batch size (one collection scan on FerretDB).
      const sent = outcomes.filter((o) => o.result === 'SENT').map((o) => o.id);
      if (sent.length > 0)
        ops.push({
          updateMany: {
            // Accepted by the SMTP server: true whoever holds the claim now, and stored even if this
            // worker's claim lapsed, so nobody sends it again.
            filter: { _id: { $in: sent }, status: 'PENDING' as const },
            update: {
              $set: { status: 'SENT' as const, sentAt: now, updatedAt: now },
              // Each was claimed by this worker alone: one attempt more than the claimed document had.
              $inc: { attempts: 1 },
              $unset: {
                claim: true as const,
                input: true as const,
                text: true as const,
                html: true as const,
                lastError: true as const,
                lastErrorKind: true as const,
                lastErrorDetail: true as const,
              },
            },
          },
        });
      const released = outcomes.filter((o) => o.result === 'RELEASE').map((o) => o.id);
      if (released.length > 0)
        ops.push({ updateMany: { filter: claimed(released), update: { $unset: { claim: true as const } } } });
      for (const o of outcomes) {
        if (o.result !== 'RETRY' && o.result !== 'FAILED') continue;
        ops.push({
          updateOne: {
            filter: { _id: o.id, 'claim.token': token },
            update: {
              $set: {
                status: o.result === 'FAILED' ? ('FAILED' as const) : ('PENDING' as const),
                attempts: o.attempts,
                lastError: o.lastError,
                lastErrorKind: o.kind,
                lastErrorDetail: o.detail,
                updatedAt: now,
                ...(o.nextAttemptAt ? { nextAttemptAt: o.nextAttemptAt } : {}),
              },
              $unset: { claim: true as const },
            },
          },
        });
      }
      const result = await chunkedBulkWrite(notifications, ops, { ordered: false });
      await claims.deleteMany({ _id: { $in: outcomes.map((o) => o.id) }, token });
      return outcomes.length - result.matchedCount;
    },

    /** Cancels the product's marketing emails not yet sent (one being sent right now still goes out). */
    async cancelPendingMarketing(productId: string, now = new Date()): Promise<number> {
      const result = await notifications.updateMany(
        { productId, status: 'PENDING', kind: { $in: [...MARKETING_KINDS] } },
        { $set: { status: 'CANCELLED', updatedAt: now } },
      );
      return result.modifiedCount;
    },

    countFailedMatching: (filter: RetryFilter) => notifications.countDocuments(failedMatching(filter)),

    /** Puts every FAILED notification matching `filter` back in line; returns how many. */
    async requeueFailedMatching(filter: RetryFilter, now = new Date()): Promise<number> {
      const result = await notifications.updateMany(failedMatching(filter), {
        $set: { status: 'PENDING', attempts: 0, nextAttemptAt: now, retryFrom: now, updatedAt: now },
      });
      return result.modifiedCount;
    },

    /** Puts a FAILED notification back in line with a fresh set of attempts; null unless it was FAILED. */
    async requeueFailed(id: ObjectId, now = new Date()): Promise<NotificationDocument | null> {
      const result = await notifications.updateOne(
        { _id: id, status: 'FAILED' },
        { $set: { status: 'PENDING', attempts: 0, nextAttemptAt: now, retryFrom: now, updatedAt: now } },
      );
      return result.matchedCount === 1 ? notifications.findOne({ _id: id }) : null;
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
