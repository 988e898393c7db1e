import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import {
  LOG_IN,
  REFRESH,
  REQUEST_RESET,
  SIGN_UP,
  codeOf,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayloadData,
} from './support.js';

/** Issue 19, items 5 and 10: floods from one address or at one account are cut off; sessions are bounded. */
let accounts: AccountsUnderTest;
beforeAll(async () => {
  // The shipped defaults: no raised test limits.
  accounts = await startAccounts({}, undefined, { defaultLimits: true });
});
afterAll(async () => {
  await accounts?.close();
});

const PASSWORD = 'flooding is not welcome';
const SESSIONS = `query { mySessions { id } }`;

/** Runs `count` requests one after another; how many were accepted before the first RATE_LIMITED, and after. */
async function flood(count: number, run: (i: number) => Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>) {
  let accepted = 0;
  let limited = 0;
  for (let i = 0; i < count; i++) {
    const res = await run(i);
    if (!res.errors) accepted++;
    else if (codeOf(res) === 'RATE_LIMITED') limited++;
    else throw new Error(`unexpected error ${JSON.stringify(res.errors)}`);
  }
  return { accepted, limited };
}

describe('rate limits on what costs (item 5)', () => {
  it('55 sign-ups from one address: only the configured number is accepted', async () => {
    const result = await flood(55, (i) =>
      accounts.gql(
        SIGN_UP,
        { input: { email: `flood${i}@example.com`, password: PASSWORD, name: 'Flood' } },
        { ip: '203.0.113.5' },
      ),
    );
    process.stdout.write(`sign-up flood ${JSON.stringify(result)}\n`);
    expect(result.accepted).toBe(accounts.settings.limits.signUpsPerAddress);
    expect(result.limited).toBe(55 - result.accepted);
  }, 120_000);

  it('55 successful log-ins to one account: only the configured number of new sessions', async () => {
    await accounts.gql(
      SIGN_UP,
      { input: { email: 'login-flood@example.com', password: PASSWORD, name: 'Flood' } },
      { ip: '203.0.113.6' },
    );
    const result = await flood(55, () =>
      accounts.gql(LOG_IN, { email: 'login-flood@example.com', password: PASSWORD }, { ip: '203.0.113.7' }),
    );
    process.stdout.write(`log-in flood ${JSON.stringify(result)}\n`);
    expect(result.accepted).toBeLessThanOrEqual(accounts.settings.limits.logInsPerAccount);
    expect(result.limited).toBeGreaterThan(0);
  }, 120_000);

  it('55 password-reset requests from one address: cut off after the configured number', async () => {
    const result = await flood(55, (i) =>
      accounts.gql(REQUEST_RESET, { email: `nobody${i}@example.com` }, { ip: '203.0.113.8' }),
    );
    process.stdout.write(`reset flood ${JSON.stringify(result)}\n`);
    expect(result.accepted).toBe(accounts.settings.limits.resetsPerAddress);
  }, 120_000);

  it('refreshing in a loop is rate-limited', async () => {
    const signUp = await accounts.gql<{ signUp: AuthPayloadData }>(
      SIGN_UP,
      { input: { email: 'refresh-flood@example.com', password: PASSWORD, name: 'Flood' } },
      { ip: '203.0.113.9' },
    );
    let token = signUp.data!.signUp.refreshToken;
    const result = await flood(100, async () => {
      const res = await accounts.gql<{ refreshSession: AuthPayloadData }>(REFRESH, { token }, { ip: '203.0.113.9' });
      if (!res.errors) token = res.data!.refreshSession.refreshToken;
      return res;
    });
    process.stdout.write(`refresh flood ${JSON.stringify(result)}\n`);
    expect(result.accepted).toBe(accounts.settings.limits.refreshesPerAccount);
  }, 120_000);
});

describe('bounded sessions (items 5 and 10)', () => {
  it('caps live sessions per user, ending the oldest first', async () => {
    const limited = await startAccounts({ MAX_SESSIONS_PER_USER: '10' });
    try {
      const first = await limited.signUp({ email: 'many-devices@example.com', password: PASSWORD, name: 'Many' });
      let last = first;
      for (let i = 0; i < 14; i++) last = await limited.logIn('many-devices@example.com', PASSWORD);
      const live = await limited.gql<{ mySessions: { id: string }[] }>(SESSIONS, {}, { token: last.accessToken });
      expect(live.data!.mySessions).toHaveLength(limited.settings.limits.sessionsPerUser);
      expect(codeOf(await limited.gql(REFRESH, { token: first.refreshToken }))).toBe('UNAUTHENTICATED');
      expect((await limited.gql(REFRESH, { token: last.refreshToken })).errors).toBeUndefined();
    } finally {
      await limited.close();
    }
  }, 120_000);

  it("keeps a session's list of exchanged token hashes bounded", async () => {
    const limited = await startAccounts({ RATE_LIMIT_REFRESHES_PER_ACCOUNT: '1000', RATE_LIMIT_REFRESHES_PER_ADDRESS: '1000' });
    try {
      const first = await limited.signUp({ email: 'long-lived@example.com', password: PASSWORD, name: 'Long' });
      let token = first.refreshToken;
      for (let i = 0; i < 40; i++) {
        const res = await limited.gql<{ refreshSession: AuthPayloadData }>(REFRESH, { token });
        expect(res.errors).toBeUndefined();
        token = res.data!.refreshSession.refreshToken;
      }
      const session = await limited.db.collection<{ rotatedHashes: string[] }>('sessions').findOne({});
      expect(session!.rotatedHashes.length).toBeLessThanOrEqual(20);
    } finally {
      await limited.close();
    }
  }, 120_000);
});

describe('requestPasswordReset does the same work for known and unknown emails (item 10)', () => {
  it('seals and writes for an unknown email as for a known one', async () => {
    const inner = loadSecretBox({});
    const seals: string[] = [];
    const counting: SecretBox = {
      seal: (plaintext, purpose) => {
        seals.push(purpose);
        return inner.seal(plaintext, purpose);
      },
      open: (sealed, purpose) => inner.open(sealed, purpose),
    };
    const server = await startAccounts({}, undefined, { eventSecrets: counting });
    try {
      await server.signUp({ email: 'known@example.com', password: PASSWORD, name: 'Known' });
      await server.gql(REQUEST_RESET, { email: 'known@example.com' });
      const known = seals.length;
      await server.gql(REQUEST_RESET, { email: 'unknown@example.com' });
      const unknown = seals.length - known;
      // Within the cool-down, a known email does the same work again.
      await server.gql(REQUEST_RESET, { email: 'known@example.com' });
      const again = seals.length - known - unknown;
      expect({ known, unknown, again }).toEqual({ known: 1, unknown: 1, again: 1 });
    } finally {
      await server.close();
    }
  }, 120_000);
});
