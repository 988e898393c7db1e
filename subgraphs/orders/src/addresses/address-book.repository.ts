import type { Db, IndexDescription } from 'mongodb';
import type { AddressData } from '@little-ecom/events';
import { changeVersioned, type VersionedDocument } from '@little-ecom/mongo';

export interface SavedAddressDocument extends AddressData {
  /** Random, per address; stable while the address is kept. */
  id: string;
  createdAt: Date;
}

/** One address book per user (`_id` = user id): one document, so "one default" holds in every write. */
export interface AddressBookDocument extends VersionedDocument {
  addresses: SavedAddressDocument[];
  /** The address checkout offers first; null only when the book is empty. */
  defaultId: string | null;
}

export const ADDRESS_BOOKS = 'address_books';
export const addressBookIndexes: IndexDescription[] = [];

export function createAddressBookRepository(db: Db) {
  const collection = db.collection<AddressBookDocument>(ADDRESS_BOOKS);
  return {
    find: (userId: string) => collection.findOne({ _id: userId }),

    /** Replaces the book with `change(current)`, guarded by its version (see changeVersioned). */
    change: (
      userId: string,
      change: (
        current: Pick<AddressBookDocument, 'addresses' | 'defaultId'>,
      ) => Pick<AddressBookDocument, 'addresses' | 'defaultId'>,
    ) => changeVersioned(collection, userId, (current) => change(current ?? { addresses: [], defaultId: null })),
  };
}

export type AddressBookRepository = ReturnType<typeof createAddressBookRepository>;
