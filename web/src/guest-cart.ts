import { useEffect, useSyncExternalStore } from 'react';
import { useClient, useQuery, type CombinedError } from 'urql';
import {
  CartDocument,
  GuestCartDocument,
  MergeGuestCartDocument,
  type CartFieldsFragment,
  type MergeGuestCartMutation,
} from './gql/graphql.js';
import { useSession } from './session.js';

/**
 * A shopper who is not logged in has a guest cart: the server hands out its token (`startGuestCart`)
 * and this module keeps it in localStorage, so the cart survives reloads. Logging in merges it into
 * the account's cart once (the server's rule, docs/orders.md) and forgets the token.
 */
const storageKey = 'little-ecom.guest-cart';
const listeners = new Set<() => void>();
let token: string | null = typeof localStorage === 'undefined' ? null : localStorage.getItem(storageKey);
/** What the last merge could not take over as it was, for the cart page to tell. */
let lastProblems: MergeGuestCartMutation['mergeGuestCart']['problems'] = [];

const notify = () => listeners.forEach((listener) => listener());
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const getGuestCartToken = () => token;

export function setGuestCartToken(next: string | null): void {
  token = next;
  if (next) localStorage.setItem(storageKey, next);
  else localStorage.removeItem(storageKey);
  notify();
}

export const useGuestCartToken = () => useSyncExternalStore(subscribe, getGuestCartToken);
export const useMergeProblems = () => useSyncExternalStore(subscribe, () => lastProblems);

/** The cart to show: the account's when logged in, else the guest cart (empty until something is added). */
export function useCart(): {
  cart: CartFieldsFragment | null;
  fetching: boolean;
  error: CombinedError | undefined;
  guestCartToken: string | null;
} {
  const session = useSession();
  const signedIn = session.status === 'authenticated';
  const guestCartToken = useGuestCartToken();
  const [mine] = useQuery({ query: CartDocument, pause: !signedIn });
  const [guest] = useQuery({
    query: GuestCartDocument,
    variables: { token: guestCartToken ?? '' },
    pause: signedIn || !guestCartToken,
  });
  // A token whose cart is gone (expired, or merged in another tab): forget it.
  const stale = !signedIn && guestCartToken !== null && guest.data !== undefined && guest.data.guestCart === null;
  useEffect(() => {
    if (stale) setGuestCartToken(null);
  }, [stale]);
  if (signedIn) return { cart: mine.data?.me?.cart ?? null, fetching: mine.fetching, error: mine.error, guestCartToken: null };
  if (session.status === 'restoring') return { cart: null, fetching: true, error: undefined, guestCartToken };
  const empty = { items: [], subtotal: null };
  return {
    cart: guestCartToken ? (guest.data?.guestCart ?? (guest.fetching ? null : empty)) : empty,
    fetching: guest.fetching,
    error: guest.error,
    guestCartToken,
  };
}

/** Merges the guest cart into the account's as soon as someone logs in (in any way), then forgets it. */
export function GuestCartMerger() {
  const session = useSession();
  const guestCartToken = useGuestCartToken();
  const client = useClient();
  const signedIn = session.status === 'authenticated';
  useEffect(() => {
    if (!signedIn || !guestCartToken) return;
    let cancelled = false;
    void (async () => {
      // A few tries: the first request after a log-in can fail on its way (bounded, then left for the next log-in).
      for (let attempt = 1; attempt <= 3 && !cancelled; attempt++) {
        const result = await client
          .mutation(MergeGuestCartDocument, { token: guestCartToken }, { additionalTypenames: ['Cart'] })
          .toPromise();
        if (result.data) {
          lastProblems = result.data.mergeGuestCart.problems;
          // A cart query in flight during the merge may have brought the cart from before it: read it again.
          await client.query(CartDocument, {}, { requestPolicy: 'network-only' }).toPromise();
          // Merged here or by another tab (merged: false): either way the token has served.
          setGuestCartToken(null);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [signedIn, guestCartToken, client]);
  return null;
}
