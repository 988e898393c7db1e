import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOG_IN,
  LOG_OUT,
  REFRESH,
  SET_ROLE,
  SIGN_UP,
  codeOf,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

/** The smaller holes of issue 10, against the real accounts subgraph and MongoDB. */
let accounts: AccountsUnderTest;
beforeAll(async () => {
  accounts = await startAccounts({ LOGIN_THROTTLE_MAX_PER_ACCOUNT_ADDRESS: '3' });
});
afterAll(async () => accounts?.close());

const PASSWORD = 'hardening passphrase';
const fieldsOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  ((res.errors?.[0]?.extensions?.['fields'] ?? []) as { field: string }[]).map((f) => f.field);
const signUp = (email: string, password = PASSWORD) =>
  accounts.gql<{ signUp: AuthPayloadData }>(SIGN_UP, { input: { email, password, name: 'Hardening' } });

describe('input rules', () => {
  it('refuses a common password typed in fullwidth (checked after NFKC, as it is hashed)', async () => {
    const res = await signUp('fullwidth@example.com', 'ｐａｓｓｗｏｒｄ１２３');
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(res)).toEqual(['password']);
    expect(await accounts.user('fullwidth@example.com')).toBeNull();
  });

  it('accepts only plain addr-spec emails', async () => {
    for (const email of ['victim<attacker@evil.com>', 'a@x.com,b@y.com', 'Victim <victim@example.com>']) {
      const res = await signUp(email);
      expect(codeOf(res), email).toBe('BAD_USER_INPUT');
      expect(fieldsOf(res)).toEqual(['email']);
    }
    expect((await signUp('plain.addr-spec+tag@example.com')).errors).toBeUndefined();
  });
});

describe('at least one admin', () => {
  it('keeps one admin when two admins demote each other at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const [a, b] = [`duel-a${round}@example.com`, `duel-b${round}@example.com`];
      await accounts.app.createAdmin({ email: a, password: PASSWORD }, 'test');
      await accounts.app.createAdmin({ email: b, password: PASSWORD }, 'test');
      const [adminA, adminB] = await Promise.all([accounts.logIn(a, PASSWORD), accounts.logIn(b, PASSWORD)]);
      const results = await Promise.all([
        accounts.gql(SET_ROLE, { userId: adminB.user.id, role: 'CUSTOMER' }, { token: adminA.accessToken }),
        accounts.gql(SET_ROLE, { userId: adminA.user.id, role: 'CUSTOMER' }, { token: adminB.accessToken }),
      ]);
      expect(
        results.filter((r) => r.errors === undefined),
        `round ${round}`,
      ).toHaveLength(1);
      expect(results.map(codeOf).filter(Boolean)).toEqual(['FORBIDDEN']);
      const roles = [(await accounts.user(a))!.role, (await accounts.user(b))!.role].sort();
      expect(roles).toEqual(['ADMIN', 'CUSTOMER']);
    }
  });
});

describe('security events', () => {
  const events = (name: string) => accounts.logs.filter((r) => r['security'] === name);

  it('logs failed, throttled and successful logins with a hashed account key and the client address', async () => {
    const email = 'logged@example.com';
    await signUp(email);
    const ip = '203.0.113.77';
    const attempt = (password: string) => accounts.gql(LOG_IN, { email, password }, { ip });
    for (let i = 0; i < 3; i++) expect(codeOf(await attempt('not the password'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await attempt('not the password'))).toBe('RATE_LIMITED');

    const failed = events('login_failed').filter((r) => r['clientIp'] === ip);
    expect(failed).toHaveLength(3);
    expect(failed[0]).toMatchObject({ reason: 'wrong_password', accountKey: expect.stringMatching(/^[\w-]{16}$/) as unknown });
    expect(new Set(failed.map((r) => r['accountKey'])).size).toBe(1);
    const throttled = events('login_throttled').filter((r) => r['clientIp'] === ip);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!['accountKey']).toBe(failed[0]!['accountKey']);
    // The email itself is never in a security event.
    expect(JSON.stringify([...failed, ...throttled])).not.toContain(email);

    const session = await accounts.logIn(email, PASSWORD);
    expect(events('login_succeeded').at(-1)).toMatchObject({ userId: session.user.id, clientIp: '198.51.100.1' });
    const refreshed = await accounts.gql<{ refreshSession: AuthPayloadData }>(REFRESH, { token: session.refreshToken });
    expect(events('session_refreshed').at(-1)).toMatchObject({ userId: session.user.id });
    await accounts.gql(LOG_OUT, { token: refreshed.data!.refreshSession.refreshToken });
    expect(events('logout').at(-1)).toMatchObject({ ended: true, clientIp: '198.51.100.1' });
  });

  it('logs revocations and authorization failures', async () => {
    const target = (await signUp('revoked@example.com')).data!.signUp;
    const other = (await signUp('nosy@example.com')).data!.signUp;
    await accounts.gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { email } } }`,
      { reps: [{ __typename: 'User', id: target.user.id }] },
      { token: other.accessToken },
    );
    expect(events('authorization_failed').at(-1)).toMatchObject({ userId: other.user.id, clientIp: '198.51.100.1' });
    await accounts.app.createAdmin({ email: 'revoker@example.com', password: PASSWORD }, 'test');
    const admin = await accounts.logIn('revoker@example.com', PASSWORD);
    await accounts.gql('mutation($u: ID!) { endUserSessions(userId: $u) }', { u: target.user.id }, { token: admin.accessToken });
    expect(events('sessions_revoked').at(-1)).toMatchObject({
      userId: target.user.id,
      reason: 'ended_by_admin',
      endedSessions: 1,
    });
  });
});
