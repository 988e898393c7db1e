import type { Logger } from '@little-ecom/logger';

export interface BackPressure {
  paused(): boolean;
  /**
   * Asks the probe whether the database answers (after a handler failed). False: the failure was the
   * message's own. True: consumption is paused (once) and the probe loop runs until it answers.
   */
  unavailable(): Promise<boolean>;
  /** Resolves once the database answers again (or on stop). */
  waitUntilAvailable(): Promise<void>;
  stop(): void;
}

/**
 * Pauses a consumer while its database is away instead of letting every message burn its retries:
 * `onPause` cancels the subscription, a probe runs with backoff (0.5 s doubling to 5 s), and
 * `onResume` subscribes again once it answers.
 */
export function createBackPressure(deps: {
  probe: () => Promise<void>;
  logger: Logger;
  onPause: () => Promise<void>;
  onResume: () => Promise<void>;
  probeTimeoutMs?: number;
  maxProbeDelayMs?: number;
}): BackPressure {
  const log = deps.logger;
  const probeTimeoutMs = deps.probeTimeoutMs ?? 2_000;
  const maxDelay = deps.maxProbeDelayMs ?? 5_000;
  let paused = false;
  let stopped = false;
  let since = 0;
  let waiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;

  const answers = async (): Promise<boolean> => {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.probe(),
        new Promise((_, reject) => {
          t = setTimeout(() => reject(new Error('probe timed out')), probeTimeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(t);
    }
  };

  const release = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  const probeLoop = (attempt: number) => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void (async () => {
          if (stopped) return;
          if (!(await answers())) return probeLoop(attempt + 1);
          paused = false;
          log.info('notifications database reachable again, consumer resumed', { downMs: Date.now() - since, attempts: attempt });
          release();
          await deps.onResume().catch((error: unknown) => log.warn('consumer resume failed', { err: error }));
        })();
      },
      Math.min(500 * 2 ** attempt, maxDelay),
    );
  };

  return {
    paused: () => paused,
    async unavailable() {
      if (paused) return true;
      if (await answers()) return false;
      if (paused || stopped) return true;
      paused = true;
      since = Date.now();
      log.warn('notifications database unreachable, consumer paused', { errorCode: 'DATABASE_UNAVAILABLE' });
      await deps.onPause().catch((error: unknown) => log.warn('consumer pause failed', { err: error }));
      probeLoop(0);
      return true;
    },
    waitUntilAvailable() {
      if (!paused || stopped) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      release();
    },
  };
}
