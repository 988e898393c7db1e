/**
 * The idle wait of a polling loop (the outbox relay, the email sender): `sleep` ends at its timeout or
 * as soon as `wake` is called. A wake-up that arrives while the loop is busy is remembered, so the next
 * sleep returns at once and no signal is lost between two rounds.
 */
export interface Wakeup {
  readonly stopped: boolean;
  /** Work arrived: end the current sleep, or skip the next one. */
  wake(): void;
  /** Marks the start of a round of work: earlier wake-ups are covered by it. */
  beginRound(): void;
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep for good; `stopped` is true from now on. */
  stop(): void;
}

export function createWakeup(): Wakeup {
  let pending = false;
  let stopped = false;
  let endSleep: (() => void) | null = null;
  return {
    get stopped() {
      return stopped;
    },
    wake() {
      pending = true;
      endSleep?.();
    },
    beginRound() {
      pending = false;
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (pending || stopped) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          endSleep = null;
          resolve();
        }
        endSleep = done;
      }),
    stop() {
      stopped = true;
      endSleep?.();
    },
  };
}
