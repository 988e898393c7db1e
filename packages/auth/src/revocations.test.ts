import { describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createRevocationList, type RevocationFeed } from './revocations.js';

/** A feed whose answers the test controls; `down` makes it fail like an unreachable accounts service. */
function fakeFeed() {
  const state = { revoked: [] as string[], down: false, calls: [] as (Date | undefined)[] };
  const source = async (since: Date | undefined): Promise<RevocationFeed> => {
    state.calls.push(since);
    if (state.down) throw new Error('connect ECONNREFUSED');
    return { serverTime: new Date(1_000_000).toISOString(), horizonSeconds: 60, revokedSessions: [...state.revoked] };
  };
  return { state, source };
}

describe('createRevocationList', () => {
  it('is unknown before its first load, then denies listed sessions and passes others', async () => {
    let now = 0;
    const feed = fakeFeed();
    const list = createRevocationList({ source: feed.source, logger: silentLogger, intervalMs: 60_000, clock: () => now });
    try {
      expect(list.status('a')).toBe('unknown');
      await list.ready(1_000);
      expect(list.status('a')).toBe('active');
      feed.state.revoked = ['a'];
      await list.refresh();
      expect(list.status('a')).toBe('revoked');
      expect(list.status('b')).toBe('active');
      // Incremental: the next poll asks only for what changed since the server's time, minus the overlap.
      expect(feed.state.calls.at(-1)).toEqual(new Date(1_000_000 - 30_000));
      // Once its tokens must have expired, the entry is dropped.
      now += 61_000;
      feed.state.revoked = [];
      await list.refresh();
      expect(list.status('a')).toBe('active');
    } finally {
      list.stop();
    }
  });

  it('fails closed when the feed stays unreachable longer than maxStalenessMs, and recovers', async () => {
    let now = 0;
    const feed = fakeFeed();
    const list = createRevocationList({
      source: feed.source,
      logger: silentLogger,
      intervalMs: 60_000,
      maxStalenessMs: 5_000,
      clock: () => now,
    });
    try {
      await list.ready(1_000);
      feed.state.down = true;
      now += 4_000;
      await list.refresh();
      expect(list.status('x')).toBe('active');
      now += 2_000;
      await list.refresh();
      expect(list.status('x')).toBe('unknown');
      feed.state.down = false;
      await list.refresh();
      expect(list.status('x')).toBe('active');
    } finally {
      list.stop();
    }
  });
});
