import { randomBytes } from 'node:crypto';
import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError, NotFoundError } from '@little-ecom/errors';
import type { AddressData } from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import { validateAddress, type AddressInput } from '../orders/address.js';
import { requireOwnerOrAdmin } from '../personal-data.js';
import type { AddressBookDocument, AddressBookRepository, SavedAddressDocument } from './address-book.repository.js';

/** Addresses one customer may keep. */
export const MAX_SAVED_ADDRESSES = 20;

/** A saved address as the API shows it. */
export interface SavedAddressView extends AddressData {
  id: string;
  isDefault: boolean;
}

const newAddressId = () => randomBytes(9).toString('base64url');

const sameAddress = (a: AddressData, b: AddressData) =>
  a.name === b.name &&
  a.line1 === b.line1 &&
  (a.line2 ?? null) === (b.line2 ?? null) &&
  a.city === b.city &&
  a.postalCode === b.postalCode &&
  a.country === b.country;

const toView = (book: Pick<AddressBookDocument, 'addresses' | 'defaultId'>) =>
  // The default first, then the newest.
  [...book.addresses]
    .sort(
      (a, b) =>
        Number(b.id === book.defaultId) - Number(a.id === book.defaultId) || b.createdAt.getTime() - a.createdAt.getTime(),
    )
    .map(({ createdAt: _createdAt, ...address }): SavedAddressView => ({ ...address, isDefault: address.id === book.defaultId }));

/** The address book: personal, so its owner's (and, to read, an admin's) only; one default at all times. */
export function createAddressBookService({ books }: { books: AddressBookRepository }) {
  const addressOf = ({ id: _id, createdAt: _at, ...address }: SavedAddressDocument): AddressData => address;

  return {
    async list(scope: Scope, userId: string): Promise<SavedAddressView[]> {
      requireOwnerOrAdmin(scope, userId);
      const book = await books.find(userId);
      return book ? toView(book) : [];
    },

    /**
     * Saves an address (trimmed and checked like a shipping address) and returns it; the same address
     * again returns the one saved. The first saved, or one saved with `makeDefault`, becomes the default.
     */
    async save(scope: Scope, input: AddressInput, makeDefault = false): Promise<SavedAddressView> {
      const { userId } = requireViewer(scope.auth);
      const address = validateAddress(input, 'address');
      let savedId = '';
      const book = await books.change(userId, (current) => {
        const existing = current.addresses.find((a) => sameAddress(addressOf(a), address));
        if (!existing && current.addresses.length >= MAX_SAVED_ADDRESSES)
          throw new BadUserInputError(
            `An address book holds at most ${MAX_SAVED_ADDRESSES} addresses; delete one first`,
            'address',
          );
        const saved = existing ?? { ...address, id: newAddressId(), createdAt: new Date() };
        savedId = saved.id;
        return {
          addresses: existing ? current.addresses : [...current.addresses, saved],
          defaultId: makeDefault || !current.defaultId ? saved.id : current.defaultId,
        };
      });
      return toView(book).find((a) => a.id === savedId)!;
    },

    async setDefault(scope: Scope, id: string): Promise<SavedAddressView> {
      const { userId } = requireViewer(scope.auth);
      const book = await books.change(userId, (current) => {
        if (!current.addresses.some((a) => a.id === id)) throw new NotFoundError('No such saved address');
        return { addresses: current.addresses, defaultId: id };
      });
      return toView(book).find((a) => a.id === id)!;
    },

    /** Deletes a saved address; the newest left becomes the default if it was. False when there was none. */
    async remove(scope: Scope, id: string): Promise<boolean> {
      const { userId } = requireViewer(scope.auth);
      if (!(await books.find(userId))?.addresses.some((a) => a.id === id)) return false;
      await books.change(userId, (current) => {
        const addresses = current.addresses.filter((a) => a.id !== id);
        const newest = [...addresses].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
        return {
          addresses,
          defaultId: current.defaultId === id || !current.defaultId ? (newest?.id ?? null) : current.defaultId,
        };
      });
      return true;
    },

    /** A saved address of `userId`'s for checkout; BAD_USER_INPUT when there is no such address. */
    async forCheckout(userId: string, id: string): Promise<AddressData> {
      const saved = (await books.find(userId))?.addresses.find((a) => a.id === id);
      if (!saved) throw new BadUserInputError('No such saved address', 'addressId');
      return addressOf(saved);
    },
  };
}

export type AddressBookService = ReturnType<typeof createAddressBookService>;
