import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretBox } from '@little-ecom/secrets';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { currentCode } from '../src/totp/totp.js';
import { TOTP_SECRET_PURPOSE } from '../src/totp/totp.service.js';
import {
  LOG_IN,
  REFRESH,
  SIGN_UP,
  codeOf,
  runCreateAdmin,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

/** Issue 19, items 3, 4 and 6: changing a factor or a role needs proof and ends the other sessions. */
let database: TestDatabase;
let dev: AccountsUnderTest;
let production: AccountsUnderTest;
beforeAll(async () => {
  database = await freshDatabase('accounts_factors');
  dev = await startAccounts({}, database);
  production = await startAccounts({}, database, { production: true });
});
afterAll(async () => {
  await dev?.close();
  await production?.close();
  await database?.drop();
});

const PASSWORD = 'factors need proof 42';
const START = `mutation($password: String!) { startTotpEnrollment(password: $password) { secret } }`;
const START_BARE = `mutation { startTotpEnrollment { secret } }`;
const CONFIRM = `mutation($code: String!) { confirmTotpEnrollment(code: $code) }`;
const REMOVE = `mutation($password: String, $code: String) { removeTotp(password: $password, code: $code) }`;
const REGENERATE = `mutation($password: String, $code: String) { regenerateRecoveryCodes(password: $password, code: $code) }`;
const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['reason'];
const codeAt = (secret: string, offsetSteps: number) => currentCode(secret, new Date(Date.now() + offsetSteps * 30_000));

async function signUp(email: string) {
  const res = await dev.gql<{ signUp: AuthPayloadData }>(SIGN_UP, { input: { email, password: PASSWORD, name: 'Factor' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

async function enroll(token: string) {
  const started = await dev.gql<{ startTotpEnrollment: { secret: string } }>(START, { password: PASSWORD }, { token });
  expect(started.errors).toBeUndefined();
  const secret = started.data!.startTotpEnrollment.secret;
  const confirmed = await dev.gql<{ confirmTotpEnrollment: string[] }>(CONFIRM, { code: codeAt(secret, 0) }, { token });
  expect(confirmed.errors).toBeUndefined();
  return { secret, recoveryCodes: confirmed.data!.confirmTotpEnrollment };
}

const refresh = (server: AccountsUnderTest, token: string) => server.gql<{ refreshSession: AuthPayloadData }>(REFRESH, { token });

describe('changing a second factor needs recent proof (item 3)', () => {
  it('refuses to start an enrollment with only a bearer token or a wrong password', async () => {
    const { accessToken: token } = await signUp('bearer-only@example.com');
    expect((await dev.gql(START_BARE, {}, { token })).errors).toBeDefined();
    const wrong = await dev.gql(START, { password: 'not the password at all' }, { token });
    expect(codeOf(wrong)).toBe('FORBIDDEN');
    expect(reasonOf(wrong)).toBe('REAUTHENTICATION_REQUIRED');
    expect((await dev.user('bearer-only@example.com'))?.totpPending).toBeUndefined();
  });

  it('removes a factor and regenerates recovery codes only with the password or a current code, and mails the owner', async () => {
    const email = 'remove-factor@example.com';
    const { accessToken: token } = await signUp(email);
    const { secret, recoveryCodes } = await enroll(token);

    expect(codeOf(await dev.gql(REMOVE, {}, { token }))).toBe('FORBIDDEN');
    expect(codeOf(await dev.gql(REMOVE, { password: 'wrong password here' }, { token }))).toBe('FORBIDDEN');
    expect(codeOf(await dev.gql(REGENERATE, { code: '000000' }, { token }))).toBe('FORBIDDEN');

    const regenerated = await dev.gql<{ regenerateRecoveryCodes: string[] }>(REGENERATE, { code: codeAt(secret, 1) }, { token });
    expect(regenerated.errors).toBeUndefined();
    const fresh = regenerated.data!.regenerateRecoveryCodes;
    expect(fresh).toHaveLength(10);
    // The old codes stopped working, the new ones work.
    expect(reasonOf(await dev.gql(LOG_IN, { email, password: PASSWORD, totpCode: recoveryCodes[0] }))).toBe('TOTP_INVALID');
    expect((await dev.gql(LOG_IN, { email, password: PASSWORD, totpCode: fresh[0] })).errors).toBeUndefined();

    const removed = await dev.gql<{ removeTotp: boolean }>(REMOVE, { password: PASSWORD }, { token });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeTotp).toBe(true);
    const user = await dev.user(email);
    expect(user?.totp).toBeUndefined();
    expect((await dev.gql(LOG_IN, { email, password: PASSWORD })).errors).toBeUndefined();
    // Every change is announced to the owner (notifications mails it).
    const changes = user!.outbox.filter((e) => e.type === 'user.security_changed').map((e) => e.data['change']);
    expect(changes).toEqual(['totp_enrolled', 'recovery_codes_regenerated', 'totp_removed']);
  });
});

describe('a factor change ends every other session (item 4)', () => {
  it('ends the other sessions on enrollment and on removal; the calling one stays', async () => {
    const email = 'other-sessions@example.com';
    const own = await signUp(email);
    const other = await dev.logIn(email, PASSWORD);
    const { secret } = await enroll(own.accessToken);
    expect(codeOf(await refresh(dev, other.refreshToken))).toBe('UNAUTHENTICATED');
    const kept = await refresh(dev, own.refreshToken);
    expect(kept.errors).toBeUndefined();

    const second = await dev.gql<{ logIn: AuthPayloadData }>(LOG_IN, { email, password: PASSWORD, totpCode: codeAt(secret, 1) });
    expect(second.errors).toBeUndefined();
    const token = kept.data!.refreshSession.accessToken;
    expect((await dev.gql(REMOVE, { password: PASSWORD }, { token })).errors).toBeUndefined();
    expect(codeOf(await refresh(dev, second.data!.logIn.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await refresh(dev, kept.data!.refreshSession.refreshToken)).errors).toBeUndefined();
  });
});

describe('role changes end sessions by any path; refresh applies the login rules (item 6)', () => {
  it('a promotion by create-admin ends the sessions opened before it', async () => {
    const email = 'promoted-later@example.com';
    const before = await signUp(email);
    await runCreateAdmin(database.name, ['--email', email]);
    expect((await dev.user(email))?.role).toBe('ADMIN');
    const res = await refresh(dev, before.refreshToken);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('in production an ADMIN without a second factor is refused at refresh as at login', async () => {
    const email = 'admin-refresh@example.com';
    await runCreateAdmin(database.name, ['--email', email, '--password', PASSWORD]);
    // Logged in where admins may go without TOTP (development), refreshed where they may not.
    const session = await dev.logIn(email, PASSWORD);
    const res = await refresh(production, session.refreshToken);
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(reasonOf(res)).toBe('TOTP_ENROLLMENT_REQUIRED');
  });
});

describe('TOTP secrets have a key of their own (item 8)', () => {
  it('seals new secrets with a key notifications does not hold, and moves old ones over at first use', async () => {
    const eventsKey = loadSecretBox({});
    const email = 'own-key@example.com';
    const { accessToken } = await signUp(email);
    const { secret } = await enroll(accessToken);
    const sealed = (await dev.user(email))!.totp!.sealedSecret;
    expect(() => eventsKey.open(sealed, TOTP_SECRET_PURPOSE)).toThrow();

    // A factor enrolled before the split: its secret sealed with the events key.
    const legacy = eventsKey.seal(secret, TOTP_SECRET_PURPOSE);
    await dev.db.collection('users').updateOne({ email }, { $set: { 'totp.sealedSecret': legacy } });
    const res = await dev.gql(LOG_IN, { email, password: PASSWORD, totpCode: codeAt(secret, 1) });
    expect(res.errors).toBeUndefined();
    const moved = (await dev.user(email))!.totp!.sealedSecret;
    expect(moved).not.toBe(legacy);
    expect(() => eventsKey.open(moved, TOTP_SECRET_PURPOSE)).toThrow();
  });
});
