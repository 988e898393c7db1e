import type { Logger } from '@little-ecom/logger';
import { Redis } from 'ioredis';
import type { ResponseStore } from './types.js';

/** An in-process LRU with expiry, for a single replica or development. */
export function createMemoryStore(maxEntries: number): ResponseStore {
  // A Map iterates in insertion order: re-inserting on read makes the first key the least recently used.
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= Date.now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    async close() {
      entries.clear();
    },
  };
}

export interface RedisStoreOptions {
  url: string;
  /** Every key starts with it, so several deployments (or tests) can share one Redis. */
  keyPrefix: string;
  /** A cache that answers slower than this counts as a miss: the subgraphs are the source of truth. */
  commandTimeoutMs: number;
  logger: Logger;
}

/**
 * A Redis store shared by every gateway replica. Failures never fail a request: commands time out
 * quickly, are not queued while disconnected, and count as misses; the outage is logged once a minute.
 */
export function createRedisStore(options: RedisStoreOptions): ResponseStore & { redis: Redis } {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
  });
  let lastWarned = 0;
  const warn = (error: unknown) => {
    if (Date.now() - lastWarned < 60_000) return;
    lastWarned = Date.now();
    options.logger.warn('response cache unavailable; serving from subgraphs', { err: error });
  };
  // ioredis emits connection errors as events; without a listener they would be thrown.
  redis.on('error', warn);
  return {
    redis,
    async get(key) {
      try {
        return (await redis.get(key)) ?? undefined;
      } catch (error) {
        warn(error);
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      try {
        await redis.set(key, value, 'EX', ttlSeconds);
      } catch (error) {
        warn(error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
