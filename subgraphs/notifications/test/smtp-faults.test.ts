import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testEnv } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { mailTo, privateMailpit, sleep, startHarness, uniqueEmail, type Harness, type PrivateMailpit } from './support.js';

// SMTP faults that are about the server, not the email: they pause sending for everyone and never
// fail an email. Each block has its own Mailpit, restarted with other options to make the fault.
const ADMIN = { sub: 'admin-1', role: 'ADMIN' };
const STATE = `query { deliveryState { paused reason detail pausedSince nextProbeAt pending failed } }`;
const USER_NOTIFICATIONS = `query($id: ID!) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User { notifications(first: 5) { edges { node { status lastError lastErrorKind lastErrorDetail } } } }
  }
}`;
interface State {
  deliveryState: { paused: boolean; reason: string | null; detail: string | null; pending: number; failed: number };
}
interface UserNotifications {
  _entities: {
    notifications: {
      edges: {
        node: { status: string; lastError: string | null; lastErrorKind: string | null; lastErrorDetail: string | null };
      }[];
    };
  }[];
}

async function register(h: Harness, count: number, label: string) {
  const users = Array.from({ length: count }, (_, i) => ({
    userId: randomUUID(),
    email: uniqueEmail(`${label}${i}`),
    name: `User ${i}`,
    role: 'CUSTOMER',
  }));
  for (const user of users) await h.publisher.publish('user.registered', user);
  return users;
}

describe('SMTP refuses our credentials (535)', () => {
  let mailpit: PrivateMailpit;
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'little-ecom-smtp-auth-'));
    writeFileSync(join(dir, 'auth'), 'little:right-password\n');
    mailpit = await privateMailpit();
    await mailpit.start(['--smtp-auth-file', join(dir, 'auth'), '--smtp-auth-allow-insecure']);
    const url = new URL(mailpit.smtpUrl);
    url.username = 'little';
    url.password = 'wrong-password';
    h = await startHarness({ smtpUrl: url.toString() });
  });
  afterAll(async () => {
    await h?.close();
    await mailpit?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses sending for everyone, fails no email, shows users a kind and admins the detail, and resumes', async () => {
    const users = await register(h, 5, 'auth');
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    const state = await eventually(async () => {
      const res = await h.gql<State>(STATE, {}, ADMIN);
      return res.data?.deliveryState.paused ? res.data.deliveryState : undefined;
    });
    expect(state.reason).toBe('SMTP_AUTH_FAILED');
    expect(state.detail).toContain('535');
    // Several probes fail while paused (probe 200 ms doubling to 1 s here): still nothing FAILED.
    await eventually(async () => (h.logs.filter((l) => l['msg'] === 'delivery paused').length >= 4 ? true : undefined), 15_000);
    expect(await col.countDocuments({ status: 'FAILED' })).toBe(0);
    expect(await col.countDocuments({ status: 'PENDING' })).toBe(5);

    const tried = await col.findOne({ attempts: { $gte: 1 } });
    const asUser = await h.gql<UserNotifications>(
      USER_NOTIFICATIONS,
      { id: tried!.recipientId },
      { sub: tried!.recipientId, role: 'CUSTOMER' },
    );
    const seen = asUser.data!._entities[0]!.notifications.edges[0]!.node;
    expect(seen).toMatchObject({ status: 'PENDING', lastErrorKind: 'SMTP_AUTH_FAILED', lastErrorDetail: null });
    expect(seen.lastError).toMatch(/refused our credentials/);
    expect(seen.lastError).not.toMatch(/535|5\.7\.8/);
    const asAdmin = await h.gql<UserNotifications>(USER_NOTIFICATIONS, { id: tried!.recipientId }, ADMIN);
    expect(asAdmin.data!._entities[0]!.notifications.edges[0]!.node.lastErrorDetail).toContain('535');

    // The operator fixes the credentials (here: the server now accepts them).
    await mailpit.stop();
    await mailpit.start(['--smtp-auth-accept-any', '--smtp-auth-allow-insecure']);
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === 5 ? true : undefined), 20_000);
    await sleep(500);
    for (const user of users) expect(await mailTo(user.email, mailpit.apiUrl)).toHaveLength(1);
    expect(await col.countDocuments({ status: { $ne: 'SENT' } })).toBe(0);
    expect((await h.gql<State>(STATE, {}, ADMIN)).data?.deliveryState).toMatchObject({ paused: false, pending: 0, failed: 0 });
    expect(h.logs.some((l) => l['msg'] === 'delivery resumed')).toBe(true);
  });
});

describe('bulk retry of FAILED notifications', () => {
  let mailpit: PrivateMailpit;
  let h: Harness;
  beforeAll(async () => {
    mailpit = await privateMailpit();
    // Every recipient refused "for now" (451): a per-email error, so these emails do fail once the
    // attempts and the retry window (both compressed) are used up.
    await mailpit.start(['--chaos-triggers', 'Recipient:451:100']);
    h = await startHarness({ smtpUrl: mailpit.smtpUrl, delivery: { maxAttempts: 1, retryWindowMs: 1 } });
  });
  afterAll(async () => {
    await h?.close();
    await mailpit?.dispose();
  });

  const RETRY = `mutation($filter: NotificationRetryFilter!) { retryFailedNotifications(filter: $filter) }`;

  it('requeues by kind, error kind and time through GraphQL and the CLI, admins only', async () => {
    const users = await register(h, 4, 'bulk');
    const col = h.db.db.collection<NotificationDocument>(NOTIFICATIONS);
    await eventually(async () => ((await col.countDocuments({ status: 'FAILED' })) === 4 ? true : undefined), 15_000);

    const customer = await h.gql(RETRY, { filter: {} }, { sub: users[0]!.userId, role: 'CUSTOMER' });
    expect(customer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const bad = await h.gql(RETRY, { filter: { createdAfter: 'yesterday-ish' } }, ADMIN);
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const otherError = await h.gql(RETRY, { filter: { errorKind: 'RECIPIENT_REJECTED' } }, ADMIN);
    expect(otherError.data).toEqual({ retryFailedNotifications: 0 });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await h.gql(RETRY, { filter: { kind: 'WELCOME', createdAfter: future } }, ADMIN)).data).toEqual({
      retryFailedNotifications: 0,
    });

    const cli = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=source',
        'src/cli/retry-failed.ts',
        '--list',
        '--kind',
        'WELCOME',
        '--error',
        'TEMPORARY_FAILURE',
      ],
      { cwd: new URL('..', import.meta.url), env: { ...process.env, MONGODB_URI: testEnv.mongodbUri, MONGODB_DB: h.db.name } },
    );
    expect(cli.stdout.trim()).toBe('4 FAILED notifications match');
    expect(cli.stdout).not.toContain('@');

    await mailpit.stop();
    await mailpit.start();
    const retried = await h.gql(RETRY, { filter: { kind: 'WELCOME', errorKind: 'TEMPORARY_FAILURE' } }, ADMIN);
    expect(retried.data).toEqual({ retryFailedNotifications: 4 });
    await eventually(async () => ((await col.countDocuments({ status: 'SENT' })) === 4 ? true : undefined), 15_000);
    for (const user of users) expect(await mailTo(user.email, mailpit.apiUrl)).toHaveLength(1);
  });
});
