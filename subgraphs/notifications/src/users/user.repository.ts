import type { Db, IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@little-ecom/mongo';

export interface Preferences {
  newProducts: boolean;
  priceDrops: boolean;
  backInStock: boolean;
}

export type PreferenceName = keyof Preferences;

const DEFAULT_PREFERENCES: Preferences = Object.freeze({ newProducts: false, priceDrops: false, backInStock: false });

/** This service's own view of a user: built from user.* events, plus the preferences it owns. */
export interface UserDocument {
  /** The accounts user id. */
  _id: string;
  email?: string;
  name?: string;
  role?: string;
  /** `occurredAt` of the last user event applied; older events arriving late are ignored. */
  projectedAt?: string;
  /** `aggregateVersion` of the last user event applied; decides before `projectedAt` does. */
  projectedVersion?: number;
  preferences?: Partial<Preferences>;
  updatedAt: Date;
}

/** What the `User` entity resolvers receive: a reference from the gateway. */
export interface UserReference {
  id: string;
}

export const USERS = 'users';

// Fan-outs page through one preference by user id: (preference, _id) serves both the filter and the order.
export const userIndexes: IndexDescription[] = [
  { key: { 'preferences.newProducts': 1, _id: 1 }, name: 'pref_new_products_id' },
  { key: { 'preferences.priceDrops': 1, _id: 1 }, name: 'pref_price_drops_id' },
  { key: { 'preferences.backInStock': 1, _id: 1 }, name: 'pref_back_in_stock_id' },
];

export function preferencesOf(doc: UserDocument | null): Preferences {
  return { ...DEFAULT_PREFERENCES, ...doc?.preferences };
}

/** MongoDB access for the user projection. */
export function createUserRepository(db: Db) {
  const users = db.collection<UserDocument>(USERS);

  return {
    findById: (id: string) => users.findOne({ _id: id }),

    /**
     * Applies a user event to the projection unless a newer one was applied already (false then).
     * Preferences may exist before the first event (the user opted in quickly), so this is an upsert.
     */
    async project(
      user: { userId: string; email: string; name: string; role: string },
      occurredAt: string,
      version = 0,
    ): Promise<boolean> {
      const set = {
        email: user.email,
        name: user.name,
        role: user.role,
        projectedAt: occurredAt,
        ...(version > 0 ? { projectedVersion: version } : {}),
        updatedAt: new Date(),
      };
      // Versions order the events of one user exactly; clocks only roughly, so they decide only
      // for events from before versions existed (version 0).
      const newer =
        version > 0
          ? { $or: [{ projectedVersion: { $exists: false } }, { projectedVersion: { $lte: version } }] }
          : { $or: [{ projectedAt: { $exists: false } }, { projectedAt: { $lte: occurredAt } }] };
      try {
        const result = await users.updateOne({ _id: user.userId, ...newer }, { $set: set }, { upsert: true });
        return result.matchedCount + result.upsertedCount > 0;
      } catch (error) {
        // The document exists with a newer projection: the filter missed and the upsert collided.
        if (!isDuplicateKeyError(error)) throw error;
        return false;
      }
    },

    async updatePreferences(userId: string, changes: Partial<Preferences>): Promise<Preferences> {
      const set: Record<string, unknown> = { updatedAt: new Date() };
      for (const [key, value] of Object.entries(changes)) set[`preferences.${key}`] = value;
      await users.updateOne({ _id: userId }, { $set: set }, { upsert: true });
      return preferencesOf(await users.findOne({ _id: userId }));
    },

    /** The next page of users opted in to `preference`, by id, after `after`. */
    optedInPage: (preference: PreferenceName, after: string | null, limit: number) =>
      users
        .find(
          { [`preferences.${preference}`]: true, email: { $exists: true }, ...(after ? { _id: { $gt: after } } : {}) },
          { projection: { _id: 1, email: 1, name: 1 } },
        )
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
