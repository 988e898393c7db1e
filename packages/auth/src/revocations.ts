import type { Logger } from '@little-ecom/logger';

/**
 * Ended sessions, as the accounts subgraph publishes them: ids of sessions revoked recently enough
 * that access tokens issued for them may still be unexpired. `serverTime` is the publisher's clock,
 * used as the next `since` (minus an overlap) so each poll only carries what is new.
 */
export interface RevocationFeed {
  serverTime: string;
  /** How long after its revocation a session id stays relevant (one access-token lifetime plus skew), seconds. */
  horizonSeconds: number;
  revokedSessions: string[];
}

/** Fetches the feed; `since` is undefined for the first, full load. */
export type RevocationSource = (since: Date | undefined) => Promise<RevocationFeed>;

export interface RevocationListOptions {
  source: RevocationSource;
  logger: Logger;
  /** How often to poll. Half a second keeps "ended everywhere within 2 s" with room for a slow poll. */
  intervalMs?: number;
  /**
   * When the last successful poll is older than this, the list no longer knows which sessions ended,
   * and tokens are refused (fail closed) until a poll succeeds again.
   */
  maxStalenessMs?: number;
  /** Overlap subtracted from `serverTime` for the next `since`, covering clock skew between publisher replicas. */
  overlapMs?: number;
  clock?: () => number;
}

export type RevocationStatus = 'active' | 'revoked' | 'unknown';

export interface RevocationList {
  /** 'unknown' while the list is stale (see `maxStalenessMs`) or before its first load. */
  status(sessionId: string): RevocationStatus;
  /** Resolves after the first successful load, or rejects after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  /** Polls once now (also what the timer does); resolves when done, never rejects. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * A deny-list of ended sessions kept fresh by polling the accounts subgraph. Chosen over events on
 * the bus: it needs no broker (so a broker outage cannot let an ended session live on), no change
 * streams (FerretDB has none), and its failure mode is explicit: a verifier that cannot refresh the
 * list for `maxStalenessMs` refuses tokens instead of trusting possibly ended sessions.
 */
export function createRevocationList(options: RevocationListOptions): RevocationList {
  const intervalMs = options.intervalMs ?? 500;
  const maxStalenessMs = options.maxStalenessMs ?? 10_000;
  const overlapMs = options.overlapMs ?? 30_000;
  const clock = options.clock ?? Date.now;
  /** Session id -> local time after which it no longer matters (its tokens have expired). */
  const revoked = new Map<string, number>();
  let since: Date | undefined;
  let loadedAt: number | undefined;
  let running: Promise<void> | undefined;
  let failures = 0;
  const waiters: (() => void)[] = [];

  async function poll(): Promise<void> {
    try {
      const feed = await options.source(since);
      const now = clock();
      const keepUntil = now + feed.horizonSeconds * 1000;
      for (const id of feed.revokedSessions) revoked.set(id, keepUntil);
      for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
      const serverTime = new Date(feed.serverTime);
      if (!Number.isNaN(serverTime.getTime())) since = new Date(serverTime.getTime() - overlapMs);
      loadedAt = now;
      if (failures > 0) options.logger.info('revocation list reachable again', { failures });
      failures = 0;
    } catch (error) {
      // Logged once per outage, not on every poll.
      if (failures++ === 0) options.logger.warn('revocation list refresh failed', { err: error });
    }
  }

  const refresh = () => {
    running ??= poll().finally(() => {
      // Cleared before waiters run, so a refresh they ask for starts a new poll instead of joining this one.
      running = undefined;
      if (loadedAt !== undefined) waiters.splice(0).forEach((resolve) => resolve());
    });
    return running;
  };

  // Polling starts with the first use, so a process that never verifies a token (a CLI building the
  // app) never polls; stop() ends it for good.
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const ensureStarted = () => {
    if (timer || stopped) return;
    timer = setInterval(() => void refresh(), intervalMs);
    timer.unref();
    void refresh();
  };

  return {
    status(sessionId) {
      ensureStarted();
      if (loadedAt === undefined || clock() - loadedAt > maxStalenessMs) return 'unknown';
      const until = revoked.get(sessionId);
      return until !== undefined && until > clock() ? 'revoked' : 'active';
    },
    ready(timeoutMs) {
      ensureStarted();
      if (loadedAt !== undefined) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error('revocation list not loaded in time')), timeoutMs);
        timeout.unref();
        waiters.push(() => {
          clearTimeout(timeout);
          resolve();
        });
      });
    },
    refresh: () => {
      ensureStarted();
      return refresh();
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The HTTP source: GET `url?since=<ISO>` on the accounts subgraph (`/internal/revocations`). */
export function httpRevocationSource(
  url: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): RevocationSource {
  return async (since) => {
    const target = new URL(url);
    if (since) target.searchParams.set('since', since.toISOString());
    const response = await fetch(target, {
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
    });
    if (!response.ok) throw new Error(`revocation feed answered ${response.status}`);
    const body = (await response.json()) as Partial<RevocationFeed>;
    if (
      typeof body.serverTime !== 'string' ||
      typeof body.horizonSeconds !== 'number' ||
      !Array.isArray(body.revokedSessions) ||
      !body.revokedSessions.every((id) => typeof id === 'string')
    ) {
      throw new Error('revocation feed has an unexpected shape');
    }
    return body as RevocationFeed;
  };
}
