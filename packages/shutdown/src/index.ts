import type { Logger } from '@little-ecom/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs `steps` in order on SIGTERM/SIGINT (e.g. drain HTTP, stop consumers, close connections), each
 * bounded so a stuck step cannot keep a pod from terminating, then exits.
 */
export function onShutdown(logger: Logger, steps: ShutdownStep[], options: { timeoutMs: number }): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    let exitCode = 0;
    for (const step of steps) {
      try {
        await withTimeout(step.run(), options.timeoutMs, step.name);
        logger.info('shutdown step done', { step: step.name });
      } catch (error) {
        exitCode = 1;
        logger.error('shutdown step failed', { step: step.name, err: error });
      }
    }
    await logger.close();
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

async function withTimeout(promise: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Logs and exits on a startup failure, after flushing logs. */
export async function exitOnStartupError(logger: Logger, error: unknown): Promise<never> {
  logger.error('failed to start', { err: error });
  await logger.close();
  process.exit(1);
}
