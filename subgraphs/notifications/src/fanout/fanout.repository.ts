import type { Db, IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';
import { traceHeaders, type TraceCarrier } from '@little-ecom/telemetry';
import type { ProductMention } from '../notifications/templates/layout.js';
import type { PreferenceName } from '../users/user.repository.js';

export type MarketingKind = 'NEW_PRODUCT' | 'PRICE_DROP' | 'BACK_IN_STOCK';

/**
 * One marketing email to everyone who opted in, as a job with a cursor: the event is acknowledged
 * once the job is recorded, and the job pages through the recipients by user id, recording one
 * notification per page before it moves the cursor. A crash resumes at the cursor; the page it was
 * on is recorded again, which the unique (event, recipient, kind) index turns into nothing.
 */
export interface FanOutJobDocument {
  /** `${eventId}:${kind}`: one job per event and kind, so a redelivered event adds none. */
  _id: string;
  eventId: string;
  correlationId: string;
  kind: MarketingKind;
  preference: PreferenceName;
  product: ProductMention;
  status: 'RUNNING' | 'DONE' | 'CANCELLED';
  /** The last user id recorded; the next page starts after it. */
  cursor: string | null;
  recorded: number;
  createdAt: Date;
  updatedAt: Date;
  /** The trace of the event that started the job: the notifications it records (and their sends) join it. */
  trace?: TraceCarrier;
}

export const FANOUT_JOBS = 'fanout_jobs';
/** Leases of the runners working on a job (see createLeases). */
export const FANOUT_LEASES = 'fanout_leases';

export const fanOutIndexes: IndexDescription[] = [
  { key: { status: 1, createdAt: 1 }, name: 'status_created' },
  { key: { 'product.productId': 1, status: 1 }, name: 'product_status' },
];

export function createFanOutRepository(db: Db) {
  const jobs = db.collection<FanOutJobDocument>(FANOUT_JOBS);
  return {
    /** Records the job unless it exists (a redelivered event); true when it was new. */
    async create(job: Omit<FanOutJobDocument, '_id' | 'status' | 'cursor' | 'recorded' | 'createdAt' | 'updatedAt' | 'trace'>) {
      const now = new Date();
      const trace = traceHeaders();
      try {
        await jobs.insertOne({
          _id: `${job.eventId}:${job.kind}`,
          ...job,
          ...(trace['traceparent'] ? { trace } : {}),
          status: 'RUNNING',
          cursor: null,
          recorded: 0,
          createdAt: now,
          updatedAt: now,
        });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },

    running: (limit: number) => jobs.find({ status: 'RUNNING' }).sort({ createdAt: 1 }).limit(limit).toArray(),

    findById: (id: string) => jobs.findOne({ _id: id }),

    /** Moves the cursor after a recorded page; only while the job still runs (not cancelled). */
    advance: (id: string, cursor: string, added: number) =>
      jobs.updateOne({ _id: id, status: 'RUNNING' }, { $set: { cursor, updatedAt: new Date() }, $inc: { recorded: added } }),

    /** Marks the job done, with the last page's cursor and count when it recorded one. */
    finish: (id: string, last?: { cursor: string; added: number }) =>
      jobs.updateOne(
        { _id: id, status: 'RUNNING' },
        {
          $set: { status: 'DONE', updatedAt: new Date(), ...(last ? { cursor: last.cursor } : {}) },
          $inc: { recorded: last?.added ?? 0 },
        },
      ),

    /** Stops every running job about the product; returns how many. */
    async cancelForProduct(productId: string): Promise<number> {
      const result = await jobs.updateMany(
        { 'product.productId': productId, status: 'RUNNING' },
        { $set: { status: 'CANCELLED', updatedAt: new Date() } },
      );
      return result.modifiedCount;
    },
  };
}

export type FanOutRepository = ReturnType<typeof createFanOutRepository>;
