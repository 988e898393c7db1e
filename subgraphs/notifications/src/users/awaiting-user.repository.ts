import type { Db } from 'mongodb';
import type { CheckedEvent } from '@little-ecom/events';
import { documentKey, isDuplicateKeyError, serializedWrite } from '@little-ecom/mongo';

/** The order events an order email is built from. */
export type OrderEmailEvent = CheckedEvent<'order.confirmed' | 'order.rejected' | 'order.shipped' | 'order.cancelled'>;

/**
 * Order emails waiting for their user's address: the order event arrived before `user.registered`
 * was projected. One document per user, read and written by `_id` only; the events are released when
 * the user is projected, and given up (deleted by the retention sweep, logged) at `giveUpAt`.
 */
export interface AwaitingUserDocument {
  /** The accounts user id. */
  _id: string;
  events: OrderEmailEvent[];
  giveUpAt: Date;
  updatedAt: Date;
}

export const AWAITING_USER = 'awaiting_user';

export function createAwaitingUserRepository(db: Db) {
  const awaiting = db.collection<AwaitingUserDocument>(AWAITING_USER);

  return {
    /** Keeps `event` until its user is projected; parking the same event again changes nothing. */
    async park(userId: string, event: OrderEmailEvent, giveUpAt: Date): Promise<void> {
      const push = () =>
        awaiting.updateOne(
          { _id: userId, 'events.id': { $ne: event.id } },
          { $push: { events: event }, $set: { updatedAt: new Date() }, $setOnInsert: { giveUpAt } },
          { upsert: true },
        );
      // One user's events are handled concurrently (prefetch): queued per document in this process,
      // since FerretDB v1 does not isolate concurrent updates of one document (see serializedWrite).
      await serializedWrite(documentKey(AWAITING_USER, userId), async () => {
        try {
          await push();
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Another event created the user's document first (the upserts raced), or this event is
          // there already: the push now matches an existing document, or changes nothing.
          await push().catch((again: unknown) => {
            if (!isDuplicateKeyError(again)) throw again;
          });
        }
      });
    },

    find: (userId: string) => awaiting.findOne({ _id: userId }),

    /**
     * Deletes the user's document if it still holds exactly `count` events (events are only ever
     * added): false when one was parked meanwhile, which the caller then handles too.
     */
    async release(userId: string, count: number): Promise<boolean> {
      const result = await awaiting.deleteOne({ _id: userId, events: { $size: count } });
      return result.deletedCount === 1;
    },
  };
}

export type AwaitingUserRepository = ReturnType<typeof createAwaitingUserRepository>;
