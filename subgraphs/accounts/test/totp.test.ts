import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { currentCode } from '../src/totp/totp.js';
import {
  LOG_IN,
  SIGN_UP,
  codeOf,
  runCreateAdmin,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

/** TOTP second factor (RFC 6238) against the real accounts subgraph and MongoDB. */
let database: TestDatabase;
let dev: AccountsUnderTest;
let production: AccountsUnderTest;
beforeAll(async () => {
  database = await freshDatabase('accounts_totp');
  // Two servers over one database: development (TOTP optional) and production behaviour (admins need it).
  dev = await startAccounts({}, database);
  production = await startAccounts({}, database, { production: true });
});
afterAll(async () => {
  await dev?.close();
  await production?.close();
  await database?.drop();
});

const PASSWORD = 'a second factor passphrase';
const START = `mutation($password: String!) { startTotpEnrollment(password: $password) { secret otpauthUri } }`;
const CONFIRM = `mutation($code: String!) { confirmTotpEnrollment(code: $code) }`;
const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.['reason'];
const logIn = (server: AccountsUnderTest, email: string, totpCode?: string) =>
  server.gql<{ logIn: AuthPayloadData }>(LOG_IN, { email, password: PASSWORD, ...(totpCode ? { totpCode } : {}) });
/** A code of the next time step: the enrollment used the current one, and each step works once. */
const nextCode = (secret: string) => currentCode(secret, new Date(Date.now() + 30_000));

async function enrolledUser(email: string) {
  const signUp = await dev.gql<{ signUp: AuthPayloadData }>(SIGN_UP, {
    input: { email, password: PASSWORD, name: 'Two Factor' },
  });
  const token = signUp.data!.signUp.accessToken;
  const started = await dev.gql<{ startTotpEnrollment: { secret: string; otpauthUri: string } }>(
    START,
    { password: PASSWORD },
    { token },
  );
  expect(started.errors).toBeUndefined();
  const { secret, otpauthUri } = started.data!.startTotpEnrollment;
  const confirmed = await dev.gql<{ confirmTotpEnrollment: string[] }>(
    CONFIRM,
    { code: currentCode(secret, new Date()) },
    { token },
  );
  expect(confirmed.errors).toBeUndefined();
  return { token, secret, otpauthUri, recoveryCodes: confirmed.data!.confirmTotpEnrollment };
}

describe('TOTP enrollment', () => {
  it('starts with a secret and an otpauth URI, confirms only with a valid code, and stores nothing in the clear', async () => {
    const email = 'enroll@example.com';
    const signUp = await dev.gql<{ signUp: AuthPayloadData }>(SIGN_UP, { input: { email, password: PASSWORD, name: 'Enroll' } });
    const token = signUp.data!.signUp.accessToken;
    expect(codeOf(await dev.gql(START, { password: PASSWORD }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await dev.gql(CONFIRM, { code: '123456' }, { token }))).toBe('BAD_USER_INPUT');

    const started = await dev.gql<{ startTotpEnrollment: { secret: string; otpauthUri: string } }>(
      START,
      { password: PASSWORD },
      { token },
    );
    const { secret, otpauthUri } = started.data!.startTotpEnrollment;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/little-ecom:enroll%40example\.com\?/);
    expect(new URL(otpauthUri).searchParams.get('secret')).toBe(secret);
    const pending = await dev.user(email);
    expect(JSON.stringify(pending)).not.toContain(secret);

    const wrong = String((Number(currentCode(secret, new Date())) + 1) % 1_000_000).padStart(6, '0');
    expect(codeOf(await dev.gql(CONFIRM, { code: wrong }, { token }))).toBe('BAD_USER_INPUT');
    const confirmed = await dev.gql<{ confirmTotpEnrollment: string[] }>(
      CONFIRM,
      { code: currentCode(secret, new Date()) },
      { token },
    );
    const codes = confirmed.data!.confirmTotpEnrollment;
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(new Set(codes).size).toBe(10);

    const stored = JSON.stringify(await dev.user(email));
    expect(stored).not.toContain(secret);
    for (const code of codes) expect(stored).not.toContain(code);
    expect((await dev.gql<{ me: { totpEnabled: boolean } }>('{ me { totpEnabled } }', {}, { token })).data!.me.totpEnabled).toBe(
      true,
    );
    // Once enrolled, starting again is a CONFLICT (the factor is not silently replaced).
    expect(codeOf(await dev.gql(START, { password: PASSWORD }, { token }))).toBe('CONFLICT');
  });
});

describe('logIn with a second factor', () => {
  it('needs a code once enrolled, refuses wrong and replayed codes, and takes each recovery code once', async () => {
    const email = 'login-2fa@example.com';
    const { secret, recoveryCodes } = await enrolledUser(email);

    const without = await logIn(dev, email);
    expect(codeOf(without)).toBe('UNAUTHENTICATED');
    expect(reasonOf(without)).toBe('TOTP_REQUIRED');
    expect(without.data).toBeNull();
    const wrong = await logIn(dev, email, '000000' === nextCode(secret) ? '111111' : '000000');
    expect(reasonOf(wrong)).toBe('TOTP_INVALID');

    const code = nextCode(secret);
    const ok = await logIn(dev, email, code);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.logIn.user.email).toBe(email);
    // The same code again (someone looked over a shoulder): refused, each time step works once.
    expect(reasonOf(await logIn(dev, email, code))).toBe('TOTP_INVALID');

    // A recovery code works once, even when sent twice at the same moment.
    const recovery = recoveryCodes[0]!;
    const [a, b] = await Promise.all([logIn(dev, email, recovery.toUpperCase()), logIn(dev, email, recovery)]);
    expect([a, b].filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(reasonOf(await logIn(dev, email, recovery))).toBe('TOTP_INVALID');
    expect((await logIn(dev, email, recoveryCodes[1])).errors).toBeUndefined();
  });

  it('leaves users without a second factor alone', async () => {
    await dev.gql(SIGN_UP, { input: { email: 'plain-login@example.com', password: PASSWORD, name: 'Plain' } });
    expect((await logIn(dev, 'plain-login@example.com')).errors).toBeUndefined();
    expect((await logIn(production, 'plain-login@example.com')).errors).toBeUndefined();
  });
});

describe('admins need a second factor in production', () => {
  const cli = (args: string[]) => runCreateAdmin(database.name, args);

  it('refuses an un-enrolled admin with a way to enroll, and create-admin --enroll-totp enrolls one', async () => {
    const email = 'prod-admin@example.com';
    const created = await cli(['--email', email, '--password', PASSWORD]);
    expect(created.stdout).toMatch(/^created admin account/);
    // Development: optional.
    expect((await logIn(dev, email)).data!.logIn.user.role).toBe('ADMIN');
    // Production: refused, saying how to enroll.
    const refused = await logIn(production, email);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(reasonOf(refused)).toBe('TOTP_ENROLLMENT_REQUIRED');
    expect(refused.errors![0]!.message).toMatch(/--enroll-totp/);

    const enrolled = await cli(['--email', email, '--enroll-totp']);
    expect(enrolled.stdout).toMatch(/already an ADMIN/);
    const uri = /otpauth URI: (otpauth:\/\/totp\/\S+)/.exec(enrolled.stdout)![1]!;
    const secret = new URL(uri).searchParams.get('secret')!;
    const recovery = enrolled.stdout.match(/^ {2}([a-z2-7]{4}(?:-[a-z2-7]{4}){3})$/gm)!.map((line) => line.trim());
    expect(recovery).toHaveLength(10);
    expect(JSON.stringify(await dev.user(email))).not.toContain(secret);

    expect(reasonOf(await logIn(production, email))).toBe('TOTP_REQUIRED');
    const admin = await logIn(production, email, currentCode(secret, new Date()));
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.logIn.user.role).toBe('ADMIN');
    expect((await logIn(production, email, recovery[0])).errors).toBeUndefined();
    // Enrolling again changes nothing.
    expect((await cli(['--email', email, '--enroll-totp'])).stdout).toMatch(/already has a TOTP second factor/);
  });
});
