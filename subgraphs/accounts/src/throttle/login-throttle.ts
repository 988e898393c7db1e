import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Db, IndexDescription } from 'mongodb';
import { RateLimitedError } from '@little-ecom/errors';

/**
 * One attempt under one key. A sliding-window log: the window is exact (no fixed buckets to game at
 * their edges), and it lives in MongoDB so every replica counts the same attempts. An attempt is
 * written BEFORE the password is checked (see `begin`), stays when the password was wrong, and is
 * removed when it was right or when the attempt was refused.
 */
export interface LoginFailureDocument {
  _id: string;
  /**
   * `pair:<account hash>:<address key>`, `account:<sha256 of the normalized email>` or
   * `ip:<address or IPv6 /64>`.
   */
  key: string;
  /** Shared by the documents of one attempt, so it can be withdrawn as a whole. */
  attempt?: string;
  at: Date;
}

export const LOGIN_FAILURES = 'login_failures';

export const loginFailureIndexes: IndexDescription[] = [
  { key: { key: 1, at: -1 }, name: 'key_at' },
  { key: { attempt: 1 }, name: 'attempt' },
  { key: { at: 1 }, name: 'at' },
];

export interface ThrottleSettings {
  windowSeconds: number;
  /** Failures allowed per (account, client address) pair: what one stranger can cost the owner. */
  maxPerAccountAddress: number;
  /** Failures allowed per client address over all accounts (password spraying). */
  maxPerIp: number;
  /** Ceiling per account over all addresses (a distributed attack); much higher than the pair limit. */
  maxPerAccount: number;
  /** Account failures after which every further attempt waits a delay that doubles with each failure. */
  delayAfter: number;
  /** Upper bound of that delay, seconds. */
  maxDelaySeconds: number;
}

export interface ThrottleSubject {
  /** Normalized email, whether or not an account has it (so throttling reveals nothing). */
  email: string;
  clientIp: string;
}

const accountHash = (email: string) => createHash('sha256').update(email).digest('base64url');
const accountKey = (email: string) => `account:${accountHash(email)}`;
const pairKey = (subject: ThrottleSubject) => `pair:${accountHash(subject.email)}:${ipKey(subject.clientIp).slice(3)}`;

/** A throttle key and the number of entries it may hold within the window. */
export type Limit = readonly [key: string, limit: number];

/** A costly action counted per client address (IPv6 by its /64), e.g. `signup`. */
export const actionByAddress = (action: string, clientIp: string) => `${action}:${ipKey(clientIp)}`;

/** A costly action counted per account: a normalized email (known or not) or a user id. */
export const actionByAccount = (action: string, account: string) => `${action}:account:${accountHash(account)}`;

/** A short, stable, non-reversible name of the account an attempt was for, for security logs. */
export const hashedAccountKey = (email: string) => accountHash(email).slice(0, 16);

/**
 * IPv4 as it is (also when IPv4-mapped); IPv6 by its /64, since one subscriber usually holds a whole /64.
 */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (isIP(ip) !== 6) return `ip:${ip}`;
  const [head = '', tail] = ip.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headParts
      : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  return `ip:${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A counted attempt: exactly one of its methods is called once the password has been checked. */
export interface LoginAttempt {
  /** The password was right: the attempt does not count, and the pair and account start afresh. */
  succeeded(): Promise<void>;
  /** The password was wrong: the attempt stays counted as a failure. */
  failed(): Promise<void>;
}

/**
 * Limits login attempts per (account, address), per address and per account within a sliding window,
 * with growing delays on an account under a distributed attack.
 *
 * Counting is race-free without transactions (FerretDB has none): each attempt first inserts its own
 * documents and only then counts. For any two concurrent attempts, whichever counts later sees the
 * other's insert, so the last of the admitted attempts to count sees every admitted one: at most
 * `limit` attempts are admitted per key, however many arrive at once. A refused attempt withdraws its
 * documents, so hammering a blocked key does not extend the block.
 */
export function createLoginThrottle(db: Db, settings: ThrottleSettings, clock: () => Date) {
  const collection = db.collection<LoginFailureDocument>(LOGIN_FAILURES);
  const windowMs = settings.windowSeconds * 1000;
  const windowStart = (now: Date) => new Date(now.getTime() - windowMs);

  /** Seconds until `key` has fewer than `limit` attempts in the window (at least 1). */
  async function waitFor(key: string, limit: number, now: Date): Promise<number> {
    const recent = await collection
      .find({ key, at: { $gt: windowStart(now) } })
      .sort({ at: -1 })
      .limit(limit)
      .toArray();
    if (recent.length < limit) return 1;
    // The oldest of the last `limit` attempts leaving the window is what frees one attempt.
    const freedAt = recent[limit - 1]!.at.getTime() + windowMs;
    return Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000));
  }

  /** Seconds the account must still wait after its latest other attempt, or 0 when the delay has passed. */
  async function growingDelay(key: string, attempt: string, count: number, now: Date): Promise<number> {
    const failuresBefore = count - 1;
    if (failuresBefore < settings.delayAfter) return 0;
    const delayMs = Math.min(2 ** (failuresBefore - settings.delayAfter), settings.maxDelaySeconds) * 1000;
    const latest = await collection.findOne(
      { key, attempt: { $ne: attempt }, at: { $gt: windowStart(now) } },
      { sort: { at: -1 } },
    );
    if (!latest) return 0;
    const remaining = latest.at.getTime() + delayMs - now.getTime();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  const withdraw = (attempt: string) => collection.deleteMany({ attempt });

  /** Inserts one document per key, then counts: at most `limit` admitted per key however many arrive at once. */
  async function admit(limits: readonly Limit[], now: Date): Promise<{ attempt: string; counts: number[]; over: Limit[] }> {
    const attempt = randomUUID();
    await collection.insertMany(limits.map(([key]) => ({ _id: randomUUID(), key, attempt, at: now })));
    const counts = await Promise.all(limits.map(([key]) => collection.countDocuments({ key, at: { $gt: windowStart(now) } })));
    return { attempt, counts, over: limits.filter(([, limit], i) => counts[i]! > limit) };
  }

  return {
    /**
     * Counts an attempt for `subject` before anything is verified. Throws RATE_LIMITED (with
     * `retryAfterSeconds`, after withdrawing the attempt) when any limit is reached; otherwise the
     * caller verifies and then reports the outcome on the returned attempt.
     */
    async begin(subject: ThrottleSubject): Promise<LoginAttempt> {
      const now = clock();
      const limits: Limit[] = [
        [pairKey(subject), settings.maxPerAccountAddress],
        [ipKey(subject.clientIp), settings.maxPerIp],
        [accountKey(subject.email), settings.maxPerAccount],
      ];
      const { attempt, counts, over } = await admit(limits, now);
      const delay = await growingDelay(accountKey(subject.email), attempt, counts[2]!, now);
      if (over.length > 0 || delay > 0) {
        await withdraw(attempt);
        const waits = await Promise.all(over.map(([key, limit]) => waitFor(key, limit, now)));
        throw new RateLimitedError('Too many failed attempts; try again later', Math.max(delay, ...waits));
      }
      return {
        async succeeded() {
          await collection.deleteMany({ $or: [{ attempt }, { key: pairKey(subject) }, { key: accountKey(subject.email) }] });
        },
        async failed() {
          // Already counted: the documents written by `begin` are the failure record.
        },
      };
    },

    /**
     * Counts an action that costs whether or not it succeeds (a sign-up, a new session, a refresh, a
     * reset mail) under every one of `limits`, in the same sliding window. Throws RATE_LIMITED (and
     * withdraws the action) once any key is over its limit. Keys come from `actionByAddress` and `actionByAccount`.
     */
    async spend(limits: readonly Limit[]): Promise<void> {
      const now = clock();
      const { attempt, over } = await admit(limits, now);
      if (over.length === 0) return;
      await withdraw(attempt);
      const waits = await Promise.all(over.map(([key, limit]) => waitFor(key, limit, now)));
      throw new RateLimitedError('Too many requests; try again later', Math.max(...waits));
    },

    /** A failure that had no `begin`, e.g. a refused sign-up probing for existing emails. */
    async recordFailure(subject: Pick<ThrottleSubject, 'clientIp'>): Promise<void> {
      await collection.insertOne({ _id: randomUUID(), key: ipKey(subject.clientIp), at: clock() });
    },

    /** Seconds the address must wait before trying again, 0 when it may (checked before a sign-up hashes). */
    async addressWait(clientIp: string): Promise<number> {
      const now = clock();
      const count = await collection.countDocuments({ key: ipKey(clientIp), at: { $gt: windowStart(now) } });
      return count >= settings.maxPerIp ? waitFor(ipKey(clientIp), settings.maxPerIp, now) : 0;
    },

    /** After a password reset the account starts afresh from every address (the addresses do not). */
    async clearAccount(email: string): Promise<void> {
      // base64url has no regex metacharacters, so the hash can be used as a literal prefix.
      await collection.deleteMany({ $or: [{ key: accountKey(email) }, { key: { $regex: `^pair:${accountHash(email)}:` } }] });
    },

    /** Housekeeping: attempts older than the window no longer count. */
    async deleteExpired(): Promise<number> {
      const result = await collection.deleteMany({ at: { $lte: windowStart(clock()) } });
      return result.deletedCount;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
