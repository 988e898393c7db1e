import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Db, IndexDescription } from 'mongodb';
import { RateLimitedError } from '@little-ecom/errors';

/**
 * One failed attempt. A sliding-window log: the window is exact (no fixed buckets to game at their
 * edges), and it lives in MongoDB so every replica counts the same failures.
 */
export interface LoginFailureDocument {
  _id: string;
  /** `account:<sha256 of the normalized email>` or `ip:<address or IPv6 /64>`. */
  key: string;
  at: Date;
}

export const LOGIN_FAILURES = 'login_failures';

export const loginFailureIndexes: IndexDescription[] = [
  { key: { key: 1, at: -1 }, name: 'key_at' },
  { key: { at: 1 }, name: 'at' },
];

export interface ThrottleSettings {
  windowSeconds: number;
  maxPerAccount: number;
  maxPerIp: number;
}

export interface ThrottleSubject {
  /** Normalized email, whether or not an account has it (so throttling reveals nothing). */
  email: string;
  clientIp: string;
}

const accountKey = (email: string) => `account:${createHash('sha256').update(email).digest('base64url')}`;

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

/** Limits failed logins per account and per client address within a sliding window. */
export function createLoginThrottle(db: Db, settings: ThrottleSettings, clock: () => Date) {
  const collection = db.collection<LoginFailureDocument>(LOGIN_FAILURES);
  const windowMs = settings.windowSeconds * 1000;

  /** Seconds until `key` may try again, or 0 when it is below `limit` failures in the window. */
  async function waitFor(key: string, limit: number, now: Date): Promise<number> {
    const recent = await collection
      .find({ key, at: { $gt: new Date(now.getTime() - windowMs) } })
      .sort({ at: -1 })
      .limit(limit)
      .toArray();
    if (recent.length < limit) return 0;
    // The oldest of the last `limit` failures leaving the window is what frees one attempt.
    const freedAt = recent[limit - 1]!.at.getTime() + windowMs;
    return Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000));
  }

  return {
    /** Throws RATE_LIMITED with `retryAfterSeconds` while either the account or the address is over its limit. */
    async check(subject: ThrottleSubject): Promise<void> {
      const now = clock();
      const [account, ip] = await Promise.all([
        waitFor(accountKey(subject.email), settings.maxPerAccount, now),
        waitFor(ipKey(subject.clientIp), settings.maxPerIp, now),
      ]);
      const wait = Math.max(account, ip);
      if (wait > 0) throw new RateLimitedError('Too many failed attempts; try again later', wait);
    },

    async recordFailure(subject: Partial<ThrottleSubject>): Promise<void> {
      const at = clock();
      const keys = [
        subject.email !== undefined ? accountKey(subject.email) : null,
        subject.clientIp !== undefined ? ipKey(subject.clientIp) : null,
      ];
      const docs = keys.filter((key): key is string => key !== null).map((key) => ({ _id: randomUUID(), key, at }));
      if (docs.length > 0) await collection.insertMany(docs);
    },

    /** After a successful login or password reset the account starts afresh (the address does not). */
    async clearAccount(email: string): Promise<void> {
      await collection.deleteMany({ key: accountKey(email) });
    },

    /** Housekeeping: failures older than the window no longer count. */
    async deleteExpired(): Promise<number> {
      const result = await collection.deleteMany({ at: { $lte: new Date(clock().getTime() - windowMs) } });
      return result.deletedCount;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
