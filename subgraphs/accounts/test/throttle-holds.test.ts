import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_IN, SIGN_UP, codeOf, startAccounts, type AccountsUnderTest, type AuthPayloadData } from './support.js';

// Limits small enough to reach quickly; the window is long enough that nothing slides out mid-test.
const PAIR_LIMIT = 5;
const IP_LIMIT = 12;
const ACCOUNT_CEILING = 30;
let accounts: AccountsUnderTest;
beforeAll(async () => {
  accounts = await startAccounts({
    LOGIN_THROTTLE_WINDOW: '10m',
    LOGIN_THROTTLE_MAX_PER_ACCOUNT_ADDRESS: String(PAIR_LIMIT),
    LOGIN_THROTTLE_MAX_PER_IP: String(IP_LIMIT),
    LOGIN_THROTTLE_MAX_PER_ACCOUNT: String(ACCOUNT_CEILING),
    LOGIN_THROTTLE_DELAY_AFTER: '8',
    LOGIN_THROTTLE_MAX_DELAY: '60s',
  });
  for (const email of ['burst@example.com', 'owner@example.com', 'spoofed@example.com', 'spread@example.com']) {
    const res = await accounts.gql(SIGN_UP, { input: { email, password: PASSWORD, name: 'Someone' } }, { ip: '192.0.2.250' });
    expect(res.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await accounts.close();
});

const PASSWORD = 'the right passphrase, honestly';
const logIn = (email: string, password: string, ip: string, forwardedFor?: string) =>
  accounts.gql<{ logIn: AuthPayloadData }>(LOG_IN, { email, password }, { ip, ...(forwardedFor ? { forwardedFor } : {}) });
const verifications = () => accounts.hasher.counts.verify + accounts.hasher.counts.verifyDummy;

describe('throttling that holds', () => {
  it('verifies at most the limit of a concurrent burst of wrong passwords on one account', async () => {
    const before = verifications();
    const results = await Promise.all(
      Array.from({ length: 15 }, () => logIn('burst@example.com', 'a wrong passphrase', '203.0.113.101')),
    );
    const codes = results.map(codeOf);
    expect(verifications() - before).toBeLessThanOrEqual(PAIR_LIMIT);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(PAIR_LIMIT);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(15 - PAIR_LIMIT);
    expect(codes.every((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED')).toBe(true);
  });

  it('verifies at most the per-address limit of a concurrent spray over many accounts', async () => {
    const before = verifications();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => logIn(`sprayed${i}@example.com`, 'Summer2024!', '203.0.113.102')),
    );
    expect(verifications() - before).toBeLessThanOrEqual(IP_LIMIT);
    expect(results.filter((r) => codeOf(r) === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(30 - IP_LIMIT);
  });

  it('does not let a stranger lock the owner out: the block is per (account, address)', async () => {
    for (let i = 0; i < PAIR_LIMIT; i++) {
      expect(codeOf(await logIn('owner@example.com', 'a stranger guessing', '203.0.113.103'))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await logIn('owner@example.com', PASSWORD, '203.0.113.103'))).toBe('RATE_LIMITED');
    // The owner, from their own address, is not affected.
    const owner = await logIn('owner@example.com', PASSWORD, '198.51.100.103');
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.logIn.user.email).toBe('owner@example.com');
  });

  it('slows an account down with growing delays when many addresses fail on it', async () => {
    // Eight failures from eight addresses reach LOGIN_THROTTLE_DELAY_AFTER; the ninth must wait.
    for (let i = 0; i < 8; i++) {
      expect(codeOf(await logIn('spread@example.com', 'a wrong passphrase', `203.0.113.${120 + i}`))).toBe('UNAUTHENTICATED');
    }
    const before = verifications();
    const delayed = await logIn('spread@example.com', 'a wrong passphrase', '203.0.113.130');
    expect(codeOf(delayed)).toBe('RATE_LIMITED');
    expect(delayed.errors![0]!.extensions!['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
    expect(verifications()).toBe(before);
  });

  it('ignores a spoofed X-Forwarded-For: only the address the gateway signed counts', async () => {
    for (let i = 0; i < PAIR_LIMIT; i++) {
      await logIn('spoofed@example.com', 'a wrong passphrase', '203.0.113.140', `10.9.9.${i}`);
    }
    // A fresh forged header does not buy a fresh budget.
    const res = await logIn('spoofed@example.com', PASSWORD, '203.0.113.140', '10.9.9.200');
    expect(codeOf(res)).toBe('RATE_LIMITED');
  });
});
