import { useSyncExternalStore } from 'react';
import { Client, fetchExchange, type CombinedError } from '@urql/core';
import { LogOutDocument, RefreshSessionDocument, type SessionFieldsFragment } from './gql/graphql.js';
import { errorCode } from './errors.js';
import { graphqlUrl, requestInit } from './transport.js';

/**
 * The one place that holds the session. The access token lives in this module's memory only (never
 * localStorage); the refresh token lives in the server's HttpOnly cookie, which script never sees.
 * A page load restores the session from the cookie; a timer refreshes it shortly before expiry.
 */
export type SessionUser = SessionFieldsFragment['user'];
export type Session =
  | { status: 'restoring' }
  | { status: 'anonymous' }
  | { status: 'authenticated'; user: SessionUser; accessToken: string; expiresAt: string };

let session: Session = { status: 'restoring' };
const listeners = new Set<() => void>();
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/** Refresh this long before the access token expires. */
const refreshLeadMs = 60_000;

function set(next: Session): void {
  session = next;
  clearTimeout(refreshTimer);
  if (next.status === 'authenticated') {
    const due = Date.parse(next.expiresAt) - Date.now() - refreshLeadMs;
    refreshTimer = setTimeout(() => void refresh(), Math.max(due, 5_000));
  }
  for (const listener of listeners) listener();
}

export function getSession(): Session {
  return session;
}

export function accessToken(): string | null {
  return session.status === 'authenticated' ? session.accessToken : null;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current session, re-rendering on log-in, refresh and log-out. */
export function useSession(): Session {
  return useSyncExternalStore(subscribe, getSession);
}

// Session operations go through their own cache-less client, so they never depend on the page's cache.
const authClient = new Client({
  url: graphqlUrl,
  exchanges: [fetchExchange],
  preferGetMethod: false,
  requestPolicy: 'network-only',
  fetchOptions: () => requestInit(accessToken()),
});

/** Keeps the credentials of a logIn, signUp or refreshSession answer. */
export function startSession(payload: SessionFieldsFragment): void {
  set({ status: 'authenticated', user: payload.user, accessToken: payload.accessToken, expiresAt: payload.expiresAt });
}

let refreshing: Promise<void> | undefined;

/**
 * Exchanges the cookie for a new access token (and a rotated cookie). UNAUTHENTICATED means there
 * is no session any more; a network failure keeps the current one and tries again soon.
 */
export function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const result = await authClient.mutation(RefreshSessionDocument, {}).toPromise();
    if (result.data) startSession(result.data.refreshSession);
    else if (isNetworkFailure(result.error) && session.status === 'authenticated') {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void refresh(), 10_000);
    } else set({ status: 'anonymous' });
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

function isNetworkFailure(error: CombinedError | undefined): boolean {
  return Boolean(error?.networkError) && errorCode(error).code === undefined;
}

/** Ends the session at the server (which clears the cookie) and forgets the token here either way. */
export async function logOut(): Promise<void> {
  await authClient.mutation(LogOutDocument, {}).toPromise();
  set({ status: 'anonymous' });
}

/** Forgets the session here without asking the server (it already ended, e.g. "End session" on this one). */
export function forgetSession(): void {
  set({ status: 'anonymous' });
}
