import type { Db } from 'mongodb';
import type { CheckedEvent } from '@little-ecom/events';
import { isDuplicateKeyError } from '@little-ecom/mongo';

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
      try {
        await awaiting.updateOne(
          { _id: userId, 'events.id': { $ne: event.id } },
          { $push: { events: event }, $set: { updatedAt: new Date() }, $setOnInsert: { giveUpAt } },
          { upsert: true },
        );
      } catch (error) {
        // The user's document holds this event already: the filter missed and the upsert collided.
        if (!isDuplicateKeyError(error)) throw error;
      }
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
