import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@little-ecom/events';
import {
  CHANGE_PASSWORD,
  LOG_IN,
  LOG_OUT,
  ME,
  REFRESH,
  REQUEST_RESET,
  RESET,
  SIGN_UP,
  codeOf,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

let accounts: AccountsUnderTest;
beforeAll(async () => {
  accounts = await startAccounts();
});
afterAll(async () => {
  await accounts.close();
});

const PASSWORD = 'walnut lamp on a rainy tuesday';

const signUp = (email: string, password = PASSWORD, name = 'Ada Lovelace') => accounts.signUp({ email, password, name });
const logIn = (email: string, password = PASSWORD) => accounts.logIn(email, password);

async function me(token: string) {
  const res = await accounts.gql<{ me: { id: string; email: string; role: string } | null }>(ME, undefined, { token });
  expect(res.errors).toBeUndefined();
  return res.data!.me;
}

const refresh = (token: string) => accounts.gql<{ refreshSession: AuthPayloadData }>(REFRESH, { token });

describe('session lifecycle', () => {
  it('signs up with a normalized email, emits user.registered and knows the user in me', async () => {
    const payload = await signUp('  Ada@Example.COM ');
    expect(payload.user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'CUSTOMER' });
    expect(payload.refreshToken.length).toBeGreaterThanOrEqual(43);
    const expiresIn = new Date(payload.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);
    expect(await me(payload.accessToken)).toMatchObject({ id: payload.user.id, email: 'ada@example.com', role: 'CUSTOMER' });

    const stored = await accounts.user('ada@example.com');
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    expect(stored!.outbox).toHaveLength(1);
    expect(stored!.outbox[0]).toMatchObject({
      type: 'user.registered',
      source: 'accounts',
      data: { userId: payload.user.id, email: 'ada@example.com', name: 'Ada Lovelace', role: 'CUSTOMER' },
    });
    // Only hashes of refresh tokens are stored.
    const sessions = await accounts.db.collection('sessions').find().toArray();
    expect(JSON.stringify(sessions)).not.toContain(payload.refreshToken);
  });

  it('refuses a second sign-up with the same email, whatever its spelling, with a generic CONFLICT', async () => {
    const res = await accounts.gql(SIGN_UP, {
      input: { email: 'ADA@example.com', password: 'another fine passphrase', name: 'Other' },
    });
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0]!.message).not.toMatch(/exists|registered|taken/i);
  });

  it('validates sign-up input and refuses common passwords', async () => {
    const res = await accounts.gql(SIGN_UP, { input: { email: 'not-an-email', password: 'password1', name: '' } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect((res.errors![0]!.extensions!['fields'] as { field: string }[]).map((f) => f.field)).toEqual([
      'email',
      'name',
      'password',
    ]);
  });

  it('logs in, rotates refresh tokens, and rejects the exchanged one', async () => {
    const login = await logIn('ada@example.com');
    const first = await refresh(login.refreshToken);
    expect(first.errors).toBeUndefined();
    const next = first.data!.refreshSession;
    expect(next.refreshToken).not.toBe(login.refreshToken);
    expect(await me(next.accessToken)).toMatchObject({ email: 'ada@example.com' });

    const replay = await refresh(login.refreshToken);
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const login = await logIn('ada@example.com');
    const rotated = (await refresh(login.refreshToken)).data!.refreshSession;
    const rotatedAgain = (await refresh(rotated.refreshToken)).data!.refreshSession;
    // The first token resurfaces (e.g. stolen): the legitimate latest token dies with it.
    expect(codeOf(await refresh(login.refreshToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(rotatedAgain.refreshToken))).toBe('UNAUTHENTICATED');
    const session = await accounts.db.collection('sessions').findOne({ revokedReason: 'reuse_detected' });
    expect(session).not.toBeNull();
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const login = await logIn('ada@example.com');
    const results = await Promise.all([refresh(login.refreshToken), refresh(login.refreshToken)]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'UNAUTHENTICATED')).toHaveLength(1);
    // Losing the race is not treated as theft: the winner's new token keeps working...
    const winner = results.find((r) => r.errors === undefined)!.data!.refreshSession;
    const next = await refresh(winner.refreshToken);
    expect(next.errors).toBeUndefined();
    // ...while presenting the exchanged token again later still ends the family.
    expect(codeOf(await refresh(login.refreshToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(next.data!.refreshSession.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('logs out: the refresh token stops working, logging out twice answers false', async () => {
    const login = await logIn('ada@example.com');
    const out = await accounts.gql<{ logOut: boolean }>(LOG_OUT, { token: login.refreshToken });
    expect(out.data!.logOut).toBe(true);
    expect(codeOf(await refresh(login.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await accounts.gql<{ logOut: boolean }>(LOG_OUT, { token: login.refreshToken })).data!.logOut).toBe(false);
    expect((await accounts.gql<{ logOut: boolean }>(LOG_OUT, { token: 'garbage' })).data!.logOut).toBe(false);
  });

  it('changes the password: needs the current one, keeps this session, ends the others', async () => {
    await signUp('grace@example.com', PASSWORD, 'Grace Hopper');
    const here = await logIn('grace@example.com');
    const elsewhere = await logIn('grace@example.com');

    const wrong = await accounts.gql(
      CHANGE_PASSWORD,
      { current: 'not my password at all', next: 'a brand new passphrase' },
      { token: here.accessToken },
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    const weak = await accounts.gql(CHANGE_PASSWORD, { current: PASSWORD, next: 'qwerty123' }, { token: here.accessToken });
    expect(codeOf(weak)).toBe('BAD_USER_INPUT');
    const anonymous = await accounts.gql(CHANGE_PASSWORD, { current: PASSWORD, next: 'a brand new passphrase' });
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');

    const ok = await accounts.gql<{ changePassword: boolean }>(
      CHANGE_PASSWORD,
      { current: PASSWORD, next: 'a brand new passphrase' },
      { token: here.accessToken },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.changePassword).toBe(true);

    expect(codeOf(await refresh(elsewhere.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await refresh(here.refreshToken)).errors).toBeUndefined();
    expect(codeOf(await accounts.gql(LOG_IN, { email: 'grace@example.com', password: PASSWORD }))).toBe('UNAUTHENTICATED');
    await logIn('grace@example.com', 'a brand new passphrase');
  });

  it('resets a forgotten password with the token from the outbox event, once, and ends every session', async () => {
    await signUp('linus@example.com', PASSWORD, 'Linus');
    const session = await logIn('linus@example.com');

    const unknown = await accounts.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, { email: 'nobody@example.com' });
    expect(unknown.data!.requestPasswordReset).toBe(true);
    const known = await accounts.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, { email: 'Linus@Example.com' });
    expect(known.data!.requestPasswordReset).toBe(true);

    const user = await accounts.user('linus@example.com');
    const event = user!.outbox.find((e: EventEnvelope) => e.type === 'user.password_reset_requested')!;
    expect(event.data).toMatchObject({ userId: session.user.id, email: 'linus@example.com', name: 'Linus' });
    const resetToken = await accounts.resetTokenOf('linus@example.com');
    // At rest in the outbox (and so in the broker and dead letters) only the sealed form exists.
    expect(JSON.stringify(user)).not.toContain(resetToken);
    const expiresIn = new Date(event.data['expiresAt'] as string).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);
    // Stored hashed: the raw token only travels in the event.
    expect(user!.passwordReset!.tokenHash).not.toBe(resetToken);

    expect(codeOf(await accounts.gql(RESET, { token: resetToken, password: '12345678' }))).toBe('BAD_USER_INPUT');
    const reset = await accounts.gql<{ resetPassword: boolean }>(RESET, {
      token: resetToken,
      password: 'my memorable new passphrase',
    });
    expect(reset.errors).toBeUndefined();
    expect(reset.data!.resetPassword).toBe(true);
    expect(codeOf(await accounts.gql(RESET, { token: resetToken, password: 'yet another new passphrase' }))).toBe(
      'BAD_USER_INPUT',
    );

    expect(codeOf(await refresh(session.refreshToken))).toBe('UNAUTHENTICATED');
    await logIn('linus@example.com', 'my memorable new passphrase');
  });

  it('lets exactly one of two concurrent resets with the same token win', async () => {
    await signUp('race@example.com', PASSWORD, 'Racer');
    await accounts.gql(REQUEST_RESET, { email: 'race@example.com' });
    const token = await accounts.resetTokenOf('race@example.com');
    const results = await Promise.all([
      accounts.gql(RESET, { token, password: 'first racer passphrase' }),
      accounts.gql(RESET, { token, password: 'second racer passphrase' }),
    ]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'BAD_USER_INPUT')).toHaveLength(1);
  });

  it('refuses an expired reset token', async () => {
    await signUp('expired@example.com', PASSWORD, 'Late');
    await accounts.gql(REQUEST_RESET, { email: 'expired@example.com' });
    const user = await accounts.user('expired@example.com');
    const token = await accounts.resetTokenOf('expired@example.com');
    await accounts.db
      .collection('users')
      .updateOne({ _id: user!._id }, { $set: { 'passwordReset.expiresAt': new Date(Date.now() - 1000) } });
    expect(codeOf(await accounts.gql(RESET, { token, password: 'my memorable new passphrase' }))).toBe('BAD_USER_INPUT');
  });
});
