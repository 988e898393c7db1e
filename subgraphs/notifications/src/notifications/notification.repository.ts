import { ObjectId, type Db, type Filter, type IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

import type { NotificationKind } from './templates/registry.js';

export { NOTIFICATION_KINDS, type NotificationKind } from './templates/registry.js';
export type DeliveryStatus = 'PENDING' | 'SENT' | 'FAILED';

/** One email to one user caused by one event; (eventId, recipientId, kind) is unique. */
export interface NotificationDocument {
  _id: ObjectId;
  eventId: string;
  recipientId: string;
  kind: NotificationKind;
  correlationId: string;
  to: string;
  subject: string;
  /** Bodies are kept until the email is accepted, then dropped (a reset link must not linger). */
  text?: string;
  html?: string;
  productId?: string;
  /** The order an ORDER_* email is about. */
  orderId?: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  nextAttemptAt: Date;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
}

export type NewNotification = Pick<
  NotificationDocument,
  'eventId' | 'recipientId' | 'kind' | 'correlationId' | 'to' | 'subject' | 'text' | 'html' | 'productId' | 'orderId'
>;

export const NOTIFICATIONS = 'notifications';
/** Delivery leases, one per notification being sent (see createLeases). */
export const DELIVERY_LEASES = 'delivery_leases';

export const notificationIndexes: IndexDescription[] = [
  // What makes redelivered events harmless: one notification per (event, recipient, kind).
  { key: { eventId: 1, recipientId: 1, kind: 1 }, name: 'event_recipient_unique', unique: true },
  { key: { recipientId: 1, _id: -1 }, name: 'recipient' },
  { key: { status: 1, nextAttemptAt: 1 }, name: 'due' },
  { key: { status: 1, _id: -1 }, name: 'status' },
];

/** MongoDB access for notifications; no rules here. */
export function createNotificationRepository(db: Db) {
  const notifications = db.collection<NotificationDocument>(NOTIFICATIONS);

  return {
    findById: (id: ObjectId) => notifications.findOne({ _id: id }),

    /**
     * Records notifications, skipping those that exist already (a redelivered event). Returns how
     * many were new.
     */
    async record(batch: NewNotification[], now = new Date()): Promise<number> {
      if (batch.length === 0) return 0;
      const docs: NotificationDocument[] = batch.map((n) => ({
        _id: new ObjectId(),
        ...n,
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
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

    /** Notifications due for an attempt, oldest due first, excluding those this process is sending. */
    due: (now: Date, exclude: ObjectId[], limit: number) =>
      notifications
        .find(
          { status: 'PENDING', nextAttemptAt: { $lte: now }, ...(exclude.length ? { _id: { $nin: exclude } } : {}) },
          // Ids only: the sender re-reads each one under its lease, and bodies are large.
          { projection: { _id: 1 } },
        )
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .map((doc) => doc._id)
        .toArray(),

    /** When the next pending notification becomes due, if any. */
    async nextDueAt(exclude: ObjectId[]): Promise<Date | null> {
      const [next] = await notifications
        .find({ status: 'PENDING', ...(exclude.length ? { _id: { $nin: exclude } } : {}) }, { projection: { nextAttemptAt: 1 } })
        .sort({ nextAttemptAt: 1 })
        .limit(1)
        .toArray();
      return next?.nextAttemptAt ?? null;
    },

    markSent: (id: ObjectId, attempts: number, now = new Date()) =>
      notifications.updateOne(
        { _id: id },
        { $set: { status: 'SENT', attempts, sentAt: now, updatedAt: now }, $unset: { text: '', html: '', lastError: '' } },
      ),

    markRetry: (id: ObjectId, attempts: number, lastError: string, nextAttemptAt: Date) =>
      notifications.updateOne(
        { _id: id },
        { $set: { status: 'PENDING', attempts, lastError, nextAttemptAt, updatedAt: new Date() } },
      ),

    markFailed: (id: ObjectId, attempts: number, lastError: string) =>
      notifications.updateOne({ _id: id }, { $set: { status: 'FAILED', attempts, lastError, updatedAt: new Date() } }),

    /** Puts a FAILED notification back in line with a fresh set of attempts; null unless it was FAILED. */
    async requeueFailed(id: ObjectId, now = new Date()): Promise<NotificationDocument | null> {
      const result = await notifications.updateOne(
        { _id: id, status: 'FAILED' },
        { $set: { status: 'PENDING', attempts: 0, nextAttemptAt: now, updatedAt: now } },
      );
      return result.matchedCount === 1 ? notifications.findOne({ _id: id }) : null;
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
