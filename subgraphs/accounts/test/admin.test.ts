import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { SET_ROLE, codeOf, runCreateAdmin, startAccounts, type AccountsUnderTest } from './support.js';

let database: TestDatabase;
let accounts: AccountsUnderTest;
beforeAll(async () => {
  database = await freshDatabase('accounts', { monitorCommands: true });
  accounts = await startAccounts({}, database);
});
afterAll(async () => {
  await accounts.close();
  await database.drop();
});

const PASSWORD = 'administrative passphrase';
const signUp = (email: string) => accounts.signUp({ email, password: PASSWORD, name: 'Customer' });
const logIn = (email: string, password = PASSWORD) => accounts.logIn(email, password);

describe('createOrPromoteAdmin', () => {
  it('creates an ADMIN account with a user.registered event, then reports it as already admin', async () => {
    const created = await accounts.app.createAdmin({ email: 'Root@Example.com', password: PASSWORD, name: 'Root' }, 'test-run');
    expect(created.outcome).toBe('created');
    expect(created.user).toMatchObject({ email: 'root@example.com', role: 'ADMIN' });
    expect(created.user.outbox[0]).toMatchObject({
      type: 'user.registered',
      correlationId: 'test-run',
      data: { role: 'ADMIN', email: 'root@example.com' },
    });
    expect((await logIn('root@example.com')).user.role).toBe('ADMIN');

    const again = await accounts.app.createAdmin({ email: 'root@example.com' }, 'test-run');
    expect(again.outcome).toBe('already_admin');
  });

  it('promotes an existing customer with a user.updated event and leaves the password alone', async () => {
    const customer = await signUp('promote-me@example.com');
    const promoted = await accounts.app.createAdmin(
      { email: 'promote-me@example.com', password: 'ignored for existing accounts' },
      'test-run',
    );
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.user.outbox.at(-1)).toMatchObject({
      type: 'user.updated',
      data: { userId: customer.user.id, role: 'ADMIN' },
    });
    // The sign-up was version 1; the promotion's event and the document both carry version 2.
    expect(promoted.user.outbox.map((e) => e.data['aggregateVersion'])).toEqual([1, 2]);
    expect(promoted.user.version).toBe(2);
    expect((await logIn('promote-me@example.com')).user.role).toBe('ADMIN');
  });

  it('refuses weak passwords for new accounts', async () => {
    await expect(accounts.app.createAdmin({ email: 'weak@example.com', password: 'admin123' }, 'x')).rejects.toThrow(/password/);
    await expect(accounts.app.createAdmin({ email: 'nopass@example.com' }, 'x')).rejects.toThrow(/required/);
  });
});

describe('npm run create-admin (the CLI)', () => {
  const run = (args: string[]) => runCreateAdmin(database.name, args);

  it('creates, then promotes, printing no secret', async () => {
    const created = await run(['--email', 'cli-admin@example.com', '--password', 'cli secret passphrase']);
    expect(created.stdout).toMatch(/^created admin account: cli-admin@example\.com \(id [0-9a-f]{24}\)\n$/);
    expect(created.stdout + created.stderr).not.toContain('cli secret passphrase');
    expect((await logIn('cli-admin@example.com', 'cli secret passphrase')).user.role).toBe('ADMIN');

    await signUp('cli-customer@example.com');
    const promoted = await run(['--email', 'cli-customer@example.com']);
    expect(promoted.stdout).toMatch(/^promoted existing account to ADMIN/);
    expect((await logIn('cli-customer@example.com')).user.role).toBe('ADMIN');
  }, 120_000);

  it('exits non-zero with a reason for a bad password, without echoing it', async () => {
    const failure = await run(['--email', 'cli-weak@example.com', '--password', 'password123']).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/common/);
    expect((failure as { stderr: string }).stderr).not.toContain('password123');
  });
});

describe('setUserRole', () => {
  it('is ADMIN only, emits user.updated, and refuses changing your own role', async () => {
    const target = await signUp('target@example.com');
    const customer = await signUp('plain@example.com');
    await accounts.app.createAdmin({ email: 'boss@example.com', password: PASSWORD }, 'x');
    const admin = await logIn('boss@example.com');

    const vars = { userId: target.user.id, role: 'ADMIN' };
    expect(codeOf(await accounts.gql(SET_ROLE, vars))).toBe('UNAUTHENTICATED');
    expect(codeOf(await accounts.gql(SET_ROLE, vars, { token: customer.accessToken }))).toBe('FORBIDDEN');

    const granted = await accounts.gql<{ setUserRole: { id: string; role: string } }>(SET_ROLE, vars, {
      token: admin.accessToken,
    });
    expect(granted.errors).toBeUndefined();
    expect(granted.data!.setUserRole).toEqual({ id: target.user.id, role: 'ADMIN' });
    const stored = await accounts.user('target@example.com');
    expect(stored!.outbox.at(-1)).toMatchObject({
      type: 'user.updated',
      data: { userId: target.user.id, email: 'target@example.com', role: 'ADMIN' },
    });

    expect(codeOf(await accounts.gql(SET_ROLE, { userId: admin.user.id, role: 'CUSTOMER' }, { token: admin.accessToken }))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(await accounts.gql(SET_ROLE, { userId: '0123456789abcdef01234567', role: 'ADMIN' }, { token: admin.accessToken })),
    ).toBe('NOT_FOUND');
    expect(codeOf(await accounts.gql(SET_ROLE, { userId: 'nope', role: 'ADMIN' }, { token: admin.accessToken }))).toBe(
      'BAD_USER_INPUT',
    );

    // A demoted admin's still-valid token no longer works: the stored role is checked too.
    await accounts.gql(SET_ROLE, { userId: target.user.id, role: 'ADMIN' }, { token: admin.accessToken });
    const targetAdmin = await logIn('target@example.com');
    await accounts.gql(SET_ROLE, { userId: target.user.id, role: 'CUSTOMER' }, { token: admin.accessToken });
    expect(
      codeOf(await accounts.gql(SET_ROLE, { userId: customer.user.id, role: 'ADMIN' }, { token: targetAdmin.accessToken })),
    ).toBe('FORBIDDEN');
  });
});

describe('User entity', () => {
  it('resolves references in one batch through _entities', async () => {
    const a = await signUp('entity-a@example.com');
    const b = await signUp('entity-b@example.com');
    const finds: unknown[] = [];
    const onCommand = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find' && event.command['find'] === 'users') finds.push(event.command['filter']);
    };
    database.client.on('commandStarted', onCommand);
    const res = await accounts.gql<{ _entities: ({ id: string; name: string } | null)[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id name } } }`,
      {
        reps: [
          { __typename: 'User', id: a.user.id },
          { __typename: 'User', id: 'missing' },
          { __typename: 'User', id: b.user.id },
        ],
      },
    );
    database.client.off('commandStarted', onCommand);
    expect(res.errors).toBeUndefined();
    expect(finds).toHaveLength(1);
    expect(res.data!._entities).toEqual([{ id: a.user.id, name: 'Customer' }, null, { id: b.user.id, name: 'Customer' }]);
  });

  it('shows personal fields through _entities only to the user and to admins', async () => {
    const owner = await signUp('entity-owner@example.com');
    const other = await signUp('entity-other@example.com');
    await accounts.app.createAdmin({ email: 'entity-admin@example.com', password: PASSWORD, name: 'Admin' }, 'test');
    const admin = await logIn('entity-admin@example.com');
    const entities = (token?: string) =>
      accounts.gql<{ _entities: ({ email: string; role: string } | null)[] }>(
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { email role } } }`,
        { reps: [{ __typename: 'User', id: owner.user.id }] },
        token ? { token } : {},
      );
    for (const token of [undefined, other.accessToken]) {
      const res = await entities(token);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data)).not.toContain('entity-owner@example.com');
    }
    expect((await entities(owner.accessToken)).data!._entities).toEqual([
      { email: 'entity-owner@example.com', role: 'CUSTOMER' },
    ]);
    expect((await entities(admin.accessToken)).data!._entities).toEqual([
      { email: 'entity-owner@example.com', role: 'CUSTOMER' },
    ]);
  });

  it('makes new user ids random, not sequential', async () => {
    const ids = [(await signUp('seq-1@example.com')).user.id, (await signUp('seq-2@example.com')).user.id];
    // A driver-made ObjectId starts with the creation second and ends with a counter: neighbours share a prefix.
    expect(ids[0]!.slice(0, 6)).not.toBe(ids[1]!.slice(0, 6));
  });
});
