import { describe, expect, it } from 'vitest';
import {
  browserSessionFrom,
  originAllowed,
  readCookie,
  refreshCookie,
  sessionHeadersFor,
  takeSessionOutcome,
} from './session-cookie.js';
import type { BrowserSession } from '../types.js';

const TOKEN = 'A'.repeat(43);
const dev = { production: false, corsOrigins: ['*'] };
const prod = { production: true, corsOrigins: ['https://shop.example'] };
const session = (headers: Record<string, string>): BrowserSession => browserSessionFrom({ host: 'api.example:4000', ...headers });
/** A browser-mode session whose mutation passed the origin check. */
const forwarded = () =>
  Object.assign(session({ 'x-session-transport': 'cookie', cookie: `little_ecom_refresh=${TOKEN}` }), { forward: true });

describe('session cookie', () => {
  it('reads its cookie among others, the first of duplicates', () => {
    expect(readCookie('a=1; little_ecom_refresh=xyz; b=2', 'little_ecom_refresh')).toBe('xyz');
    expect(readCookie('little_ecom_refresh=first; little_ecom_refresh=second', 'little_ecom_refresh')).toBe('first');
    expect(readCookie('not_little_ecom_refresh=1', 'little_ecom_refresh')).toBeUndefined();
    expect(readCookie(undefined, 'little_ecom_refresh')).toBeUndefined();
  });

  it('allows the own host, the CORS list and in development only the local storefront', () => {
    expect(originAllowed(session({ origin: 'https://api.example:4000' }), prod)).toBe(true);
    expect(originAllowed(session({ origin: 'https://shop.example' }), prod)).toBe(true);
    expect(originAllowed(session({ origin: 'http://localhost:5173' }), prod)).toBe(false);
    expect(originAllowed(session({ origin: 'http://localhost:5173' }), dev)).toBe(true);
    expect(originAllowed(session({ origin: 'http://127.0.0.1:5173' }), dev)).toBe(true);
    // `*` is for CORS reads in development, never for the cookie.
    expect(originAllowed(session({ origin: 'https://evil.example' }), dev)).toBe(false);
    expect(originAllowed(session({ origin: 'null' }), dev)).toBe(false);
    expect(originAllowed(session({}), dev)).toBe(false);
    expect(originAllowed(session({ origin: 'https://api.example:4000.evil.example' }), prod)).toBe(false);
  });

  it('builds the cookie with the agreed attributes', () => {
    expect(refreshCookie({ token: TOKEN, maxAgeSeconds: 60 }, false)).toBe(
      `little_ecom_refresh=${TOKEN}; Max-Age=60; Path=/graphql; HttpOnly; SameSite=Strict`,
    );
    expect(refreshCookie('clear', true)).toBe(
      'little_ecom_refresh=; Max-Age=0; Path=/graphql; HttpOnly; SameSite=Strict; Secure',
    );
  });

  it('forwards the cookie to accounts mutations only, once the origin check passed', () => {
    expect(sessionHeadersFor('accounts', true, forwarded())).toEqual({
      'x-session-transport': 'cookie',
      'x-session-refresh-token': TOKEN,
    });
    expect(sessionHeadersFor('products', true, forwarded())).toEqual({});
    expect(sessionHeadersFor('accounts', false, forwarded())).toEqual({});
    expect(sessionHeadersFor('accounts', true, { ...forwarded(), forward: false })).toEqual({});
    // A malformed cookie never reaches accounts.
    const odd = Object.assign(session({ 'x-session-transport': 'cookie', cookie: 'little_ecom_refresh=a b\r\nx: y' }), {
      forward: true,
    });
    expect(sessionHeadersFor('accounts', true, odd)).toEqual({ 'x-session-transport': 'cookie' });
  });

  it("takes the cookie's next value from accounts' answers to forwarded mutations only", () => {
    const answer = { 'x-session-refresh-token': TOKEN, 'x-session-refresh-max-age': '120' };
    const fromProducts = forwarded();
    takeSessionOutcome('products', true, fromProducts, answer);
    expect(fromProducts.outcome).toBeUndefined();
    const notForwarded = { ...forwarded(), forward: false };
    takeSessionOutcome('accounts', true, notForwarded, answer);
    expect(notForwarded.outcome).toBeUndefined();
    const ok = forwarded();
    takeSessionOutcome('accounts', true, ok, answer);
    expect(ok.outcome).toEqual({ token: TOKEN, maxAgeSeconds: 120 });
    const cleared = forwarded();
    takeSessionOutcome('accounts', true, cleared, { 'x-session-refresh-max-age': '0' });
    expect(cleared.outcome).toBe('clear');
  });
});
