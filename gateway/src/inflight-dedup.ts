/** Counts of what the deduplicator did, since start. */
export interface DedupStats {
  /** Fetches actually sent. */
  leaders: number;
  /** Callers that got the answer of a fetch already in flight instead of sending their own. */
  followers: number;
  /** Callers that sent their own fetch because the in-flight table was full. */
  overflow: number;
  /** Entries in the table right now. */
  inFlight: number;
}

export interface InflightDedup<T> {
  /** Runs `fetch` unless a fetch with the same key is in flight; then shares its result (or failure). */
  run(key: string, fetch: () => Promise<T>): Promise<{ value: T; shared: boolean }>;
  stats(): DedupStats;
}

/**
 * Shares one in-flight promise per key. Entries leave the table when their fetch settles, so nothing is
 * cached past that moment: this removes the thundering herd of identical subgraph calls without ever
 * serving an answer that was computed before the caller asked. `maxEntries` bounds the table; past it,
 * callers fetch on their own.
 */
export function createInflightDedup<T>(maxEntries: number): InflightDedup<T> {
  const table = new Map<string, Promise<T>>();
  const counts = { leaders: 0, followers: 0, overflow: 0 };
  return {
    async run(key, fetch) {
      const pending = table.get(key);
      if (pending) {
        counts.followers++;
        return { value: await pending, shared: true };
      }
      if (table.size >= maxEntries) {
        counts.overflow++;
        return { value: await fetch(), shared: false };
      }
      counts.leaders++;
      const promise = fetch();
      table.set(key, promise);
      try {
        return { value: await promise, shared: false };
      } finally {
        table.delete(key);
      }
    },
    stats: () => ({ ...counts, inFlight: table.size }),
  };
}
