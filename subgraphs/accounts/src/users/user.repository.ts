import { randomBytes } from 'node:crypto';
import { ObjectId, type Db, type IndexDescription } from 'mongodb';
import type { Role } from '@little-ecom/auth';
import { OUTBOX_FIELD, announceOutboxWrite, outboxAppend, outboxIndex, type EventEnvelope } from '@little-ecom/events';
import { documentKey, serializedWrite } from '@little-ecom/mongo';

/** A pending password reset: only the SHA-256 of the emailed token is kept. */
export interface PasswordReset {
  tokenHash: string;
  requestedAt: Date;
  expiresAt: Date;
}

/** A confirmed TOTP second factor (docs/auth.md, "Second factor"). */
export interface TotpFactor {
  /** The base32 secret sealed with the TOTP secrets key (never stored in the clear). */
  sealedSecret: string;
  enabledAt: Date;
  /** SHA-256 of the unused one-time recovery codes. */
  recoveryCodeHashes: string[];
}

/** A user as stored in the `users` collection. */
export interface UserDocument {
  _id: ObjectId;
  /** Normalized (see normalizeEmail); unique. */
  email: string;
  name: string;
  role: Role;
  /** argon2id PHC string; carries its own parameters, so old hashes keep verifying after a change. */
  passwordHash: string;
  passwordReset?: PasswordReset;
  totp?: TotpFactor;
  /** A started, not yet confirmed TOTP enrollment (its secret sealed too). */
  totpPending?: { sealedSecret: string; createdAt: Date };
  createdAt: Date;
  updatedAt: Date;
  /**
   * Aggregate version: 1 at sign-up, +1 with every change that emits a `user.updated`, written in
   * the same update and carried in the event (`aggregateVersion`). Absent on users created before
   * versions existed, which count as version 1.
   */
  version?: number;
  /** Events not yet published; written in the same update as the change they describe. */
  [OUTBOX_FIELD]: EventEnvelope[];
  /** Set with every outbox append, cleared by the relay once the outbox is drained (the relay's index). */
  outboxDueAt?: Date;
}

export const USERS = 'users';

export const userIndexes: IndexDescription[] = [
  { key: { email: 1 }, name: 'email_unique', unique: true },
  { key: { 'passwordReset.tokenHash': 1 }, name: 'password_reset_token' },
  outboxIndex,
];

export type NewUser = Pick<UserDocument, 'email' | 'name' | 'role' | 'passwordHash'>;

/** The version a user gets with its next `user.updated`. */
export const nextUserVersion = (user: UserDocument) => (user.version ?? 1) + 1;

/** MongoDB access for users; no business rules here. Every write is one single-document update. */
export function createUserRepository(db: Db) {
  const collection = db.collection<UserDocument>(USERS);
  // Every update of a user goes through this, so the outbox relay's writes to the same document in
  // this process cannot interleave with it (see serializedWrite).
  const write = <T>(id: ObjectId, run: () => Promise<T>) => serializedWrite(documentKey(USERS, id), run);

  return {
    findById: (id: ObjectId) => collection.findOne({ _id: id }),

    findByEmail: (email: string) => collection.findOne({ email }),

    /** One query for the whole batch, whatever its size. */
    findByIds: (ids: ObjectId[]) => collection.find({ _id: { $in: ids } }).toArray(),

    findByResetTokenHash: (tokenHash: string, now: Date) =>
      collection.findOne({ 'passwordReset.tokenHash': tokenHash, 'passwordReset.expiresAt': { $gt: now } }),

    /** Inserts the user together with its `user.registered` event; throws a duplicate-key error for a taken email. */
    async insert(user: NewUser & { _id: ObjectId }, event: EventEnvelope, now: Date): Promise<UserDocument> {
      const doc: UserDocument = {
        ...user,
        createdAt: now,
        updatedAt: now,
        version: 1,
        [OUTBOX_FIELD]: [event],
        outboxDueAt: now,
      };
      await collection.insertOne(doc);
      // Wakes the relay in this process now instead of at its next poll.
      announceOutboxWrite(USERS, [doc._id]);
      return doc;
    },

    /** Replaces the hash only if it is still `expected` (a concurrent password change wins). */
    async replaceHashIfUnchanged(id: ObjectId, expected: string, passwordHash: string): Promise<void> {
      await write(id, () => collection.updateOne({ _id: id, passwordHash: expected }, { $set: { passwordHash } }));
    },

    /** Sets a new password and cancels any pending reset. */
    async setPassword(id: ObjectId, passwordHash: string, now: Date): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne({ _id: id }, { $set: { passwordHash, updatedAt: now }, $unset: { passwordReset: '' } }),
      );
      return result.matchedCount === 1;
    },

    /** Stores a reset and its event in one write; false when no user has this id. */
    async startPasswordReset(id: ObjectId, reset: PasswordReset, event: EventEnvelope): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne({ _id: id }, { $set: { passwordReset: reset }, ...outboxAppend(event) }),
      );
      if (result.matchedCount === 0) return false;
      announceOutboxWrite(USERS, [id]);
      return true;
    },

    /**
     * Uses a reset token: sets the new hash only while the token is still the pending, unexpired one,
     * and removes it in the same write, so it works exactly once.
     */
    consumePasswordReset: (id: ObjectId, tokenHash: string, passwordHash: string, now: Date) =>
      write(id, () =>
        collection.findOneAndUpdate(
          { _id: id, 'passwordReset.tokenHash': tokenHash, 'passwordReset.expiresAt': { $gt: now } },
          { $set: { passwordHash, updatedAt: now }, $unset: { passwordReset: '' } },
          { returnDocument: 'after' },
        ),
      ),

    /** Starts (or restarts) a TOTP enrollment; never over a confirmed factor. */
    async setPendingTotp(id: ObjectId, pending: { sealedSecret: string; createdAt: Date }): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne({ _id: id, totp: { $exists: false } }, { $set: { totpPending: pending } }),
      );
      return result.matchedCount === 1;
    },

    /** Confirms the pending enrollment it was started with (and only that one), with its event, in one write. */
    async enableTotp(id: ObjectId, expectedPending: string | null, factor: TotpFactor, event: EventEnvelope): Promise<boolean> {
      const filter = expectedPending === null ? { _id: id } : { _id: id, 'totpPending.sealedSecret': expectedPending };
      const result = await write(id, () =>
        collection.updateOne(
          { ...filter, totp: { $exists: false } },
          { $set: { totp: factor }, $unset: { totpPending: '' }, ...outboxAppend(event) },
        ),
      );
      if (result.modifiedCount === 1) announceOutboxWrite(USERS, [id]);
      return result.modifiedCount === 1;
    },

    /** Removes the factor that has this sealed secret (not one enrolled meanwhile), with its event. */
    async removeTotp(id: ObjectId, sealedSecret: string, event: EventEnvelope): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne(
          { _id: id, 'totp.sealedSecret': sealedSecret },
          { $unset: { totp: '', totpPending: '' }, ...outboxAppend(event) },
        ),
      );
      if (result.modifiedCount === 1) announceOutboxWrite(USERS, [id]);
      return result.modifiedCount === 1;
    },

    /** Replaces the recovery codes of the factor that has this sealed secret, with its event. */
    async replaceRecoveryCodes(id: ObjectId, sealedSecret: string, hashes: string[], event: EventEnvelope): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne(
          { _id: id, 'totp.sealedSecret': sealedSecret },
          { $set: { 'totp.recoveryCodeHashes': hashes }, ...outboxAppend(event) },
        ),
      );
      if (result.modifiedCount === 1) announceOutboxWrite(USERS, [id]);
      return result.modifiedCount === 1;
    },

    /** Re-seals a factor's secret under a new key (migration), if it is still the one read. */
    async resealTotp(id: ObjectId, oldSealed: string, newSealed: string): Promise<void> {
      await write(id, () =>
        collection.updateOne({ _id: id, 'totp.sealedSecret': oldSealed }, { $set: { 'totp.sealedSecret': newSealed } }),
      );
    },

    /** Removes a used recovery code (the single-use claim decided who used it; this keeps the list current). */
    async removeRecoveryCode(id: ObjectId, codeHash: string): Promise<boolean> {
      const result = await write(id, () =>
        collection.updateOne(
          { _id: id, 'totp.recoveryCodeHashes': codeHash },
          { $pull: { 'totp.recoveryCodeHashes': codeHash } },
        ),
      );
      return result.modifiedCount === 1;
    },

    /**
     * Changes the role if the user still looks like `current` (optimistic check), with its
     * `user.updated` event in the same write. Null when the user changed or disappeared meanwhile.
     */
    async setRole(current: UserDocument, role: Role, event: EventEnvelope, now: Date): Promise<UserDocument | null> {
      const updated = await write(current._id, () =>
        collection.findOneAndUpdate(
          {
            _id: current._id,
            role: current.role,
            email: current.email,
            name: current.name,
            version: current.version ?? { $exists: false },
          },
          { $set: { role, updatedAt: now, version: nextUserVersion(current) }, ...outboxAppend(event, now) },
          { returnDocument: 'after' },
        ),
      );
      if (updated) announceOutboxWrite(USERS, [current._id]);
      return updated;
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;

/**
 * A new user id: an ObjectId made of 96 random bits instead of the driver's timestamp + counter, so
 * ids cannot be guessed from one another (they stay ObjectIds, like every existing id, so nothing that
 * stores or parses them changes). Existing ids keep their values; personal fields are guarded anyway.
 */
export function newUserId(): ObjectId {
  return new ObjectId(randomBytes(12));
}
