import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOG_IN,
  REQUEST_RESET,
  RESET,
  SIGN_UP,
  codeOf,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

const WINDOW_SECONDS = 2;
let accounts: AccountsUnderTest;
beforeAll(async () => {
  accounts = await startAccounts({
    LOGIN_THROTTLE_WINDOW: String(WINDOW_SECONDS),
    LOGIN_THROTTLE_MAX_PER_ACCOUNT: '3',
    LOGIN_THROTTLE_MAX_PER_ACCOUNT_ADDRESS: '3',
    LOGIN_THROTTLE_MAX_PER_IP: '6',
  });
  for (const email of ['known@example.com', 'victim@example.com', 'locked@example.com', 'rehash@example.com']) {
    const res = await accounts.gql(SIGN_UP, { input: { email, password: PASSWORD, name: 'Someone' } }, { ip: '192.0.2.200' });
    expect(res.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await accounts.close();
});

const PASSWORD = 'the right passphrase, honestly';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logIn = (email: string, password: string, ip: string) =>
  accounts.gql<{ logIn: AuthPayloadData }>(LOG_IN, { email, password }, { ip });

describe('no user enumeration in logIn', () => {
  it('runs a real argon2 verification for an unknown email and answers exactly like a wrong password', async () => {
    const counts = accounts.hasher.counts;
    const before = { ...counts };
    const unknown = await logIn('nobody-here@example.com', PASSWORD, '203.0.113.10');
    expect(counts.verifyDummy).toBe(before.verifyDummy + 1);
    expect(counts.verify).toBe(before.verify);

    const wrong = await logIn('known@example.com', 'not the right passphrase', '203.0.113.11');
    expect(counts.verify).toBe(before.verify + 1);

    expect(unknown.errors).toEqual(wrong.errors);
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.errors![0]!.message).toBe('Invalid email or password');
  });
});

describe('login throttling', () => {
  it('blocks an account after too many failures from any address, then releases it when the window slides on', async () => {
    for (const ip of ['203.0.113.21', '203.0.113.22', '203.0.113.23']) {
      expect(codeOf(await logIn('victim@example.com', 'a wrong passphrase', ip))).toBe('UNAUTHENTICATED');
    }
    const counts = { ...accounts.hasher.counts };
    const blocked = await logIn('victim@example.com', PASSWORD, '203.0.113.24');
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    const retryAfter = blocked.errors![0]!.extensions!['retryAfterSeconds'] as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    // A blocked attempt costs the server no hashing.
    expect(accounts.hasher.counts.verify).toBe(counts.verify);

    await sleep(retryAfter * 1000 + 100);
    const released = await logIn('victim@example.com', PASSWORD, '203.0.113.24');
    expect(released.errors).toBeUndefined();
    expect(released.data!.logIn.user.email).toBe('victim@example.com');
  });

  it('throttles unknown emails the same way, so RATE_LIMITED reveals nothing', async () => {
    for (const ip of ['203.0.113.31', '203.0.113.32', '203.0.113.33']) await logIn('ghost@example.com', 'whatever it is', ip);
    expect(codeOf(await logIn('ghost@example.com', 'whatever it is', '203.0.113.34'))).toBe('RATE_LIMITED');
  });

  it('blocks a client address spraying many accounts, and only that address', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 6; i++) {
      expect(codeOf(await logIn(`spray${i}@example.com`, 'Summer2024!', ip))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await logIn('known@example.com', PASSWORD, ip))).toBe('RATE_LIMITED');
    expect((await logIn('known@example.com', PASSWORD, '198.51.100.78')).errors).toBeUndefined();
  });

  it('keeps password reset working for a throttled account, and a reset lifts the account block', async () => {
    for (const ip of ['203.0.113.41', '203.0.113.42', '203.0.113.43']) await logIn('locked@example.com', 'attacker guess', ip);
    expect(codeOf(await logIn('locked@example.com', PASSWORD, '203.0.113.44'))).toBe('RATE_LIMITED');

    const request = await accounts.gql<{ requestPasswordReset: boolean }>(
      REQUEST_RESET,
      { email: 'locked@example.com' },
      { ip: '203.0.113.44' },
    );
    expect(request.data!.requestPasswordReset).toBe(true);
    const token = await accounts.resetTokenOf('locked@example.com');
    const reset = await accounts.gql(RESET, { token, password: 'a fresh start passphrase' }, { ip: '203.0.113.44' });
    expect(reset.errors).toBeUndefined();

    const login = await logIn('locked@example.com', 'a fresh start passphrase', '203.0.113.44');
    expect(login.errors).toBeUndefined();
  });
});

describe('argon2id parameters', () => {
  it('rehashes on login when the stored hash was made with other parameters', async () => {
    const old = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 2048, timeCost: 1, parallelism: 1 });
    await accounts.db.collection('users').updateOne({ email: 'rehash@example.com' }, { $set: { passwordHash: old } });
    expect((await logIn('rehash@example.com', PASSWORD, '203.0.113.51')).errors).toBeUndefined();
    const stored = (await accounts.user('rehash@example.com'))!.passwordHash;
    expect(stored).not.toBe(old);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect((await logIn('rehash@example.com', PASSWORD, '203.0.113.51')).errors).toBeUndefined();
  });
});
