import { startHttpServer, type HttpServerOptions, type RequestContext, type RunningHttpServer } from '@little-ecom/http';
import { createLogger, type Logger, type LoggerOptions } from '@little-ecom/logger';

/** Background work of a service (an outbox relay, an event consumer, a timer), stopped on shutdown. */
export interface Worker {
  name: string;
  stop(): Promise<void>;
}

/**
 * A whole service as its app factory builds it: what it serves over HTTP and what runs in the
 * background. The same object runs in production (`runService`), in tests and in benches (`serveApp`).
 */
export interface ServiceApp<TContext extends RequestContext = RequestContext> {
  name: string;
  http: Omit<HttpServerOptions<TContext>, 'logger'>;
  /** Starts the background workers; called once the HTTP server listens. */
  start?(): Worker[];
}

/** Something the caller opened for the app (a MongoDB client, an AMQP connection), closed last. */
export interface Resource {
  name: string;
  close(): Promise<void>;
}

export interface RunningService {
  url: string;
  port: number;
  http: RunningHttpServer;
  /**
   * Drains HTTP, stops the workers, then closes `resources`, all within ONE deadline: whatever is
   * left when it passes is abandoned, so the whole stop never takes longer than `deadlineMs`.
   * Resolves with the steps that failed or ran out of time (empty when all went well).
   */
  stop(deadlineMs: number): Promise<string[]>;
}

// Of the deadline, what HTTP draining may use at most; the rest is for workers and connections.
const DRAIN_SHARE = 0.6;

/** Listens, starts the app's workers, and returns how to stop it all. */
export async function serveApp<TContext extends RequestContext>(
  app: ServiceApp<TContext>,
  options: { listen: { host: string; port: number }; logger: Logger; resources?: Resource[] },
): Promise<RunningService> {
  const { logger } = options;
  const http = await startHttpServer({ ...app.http, logger }, options.listen);
  const workers = app.start?.() ?? [];
  let stopping: Promise<string[]> | undefined;

  const stop = async (deadlineMs: number): Promise<string[]> => {
    const deadline = Date.now() + deadlineMs;
    const failed: string[] = [];
    const step = async (name: string, run: (budgetMs: number) => Promise<void>) => {
      const budget = deadline - Date.now();
      if (budget <= 0) {
        failed.push(`${name} (no time left)`);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          run(budget),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish within ${budget} ms`)), budget);
          }),
        ]);
        logger.debug('shutdown step done', { step: name });
      } catch (error) {
        failed.push(name);
        logger.error('shutdown step failed', { step: name, err: error });
      } finally {
        clearTimeout(timer);
      }
    };
    await step('http', (budget) => http.drain(Math.max(0, Math.floor(budget * DRAIN_SHARE))));
    await Promise.all(workers.map((worker) => step(worker.name, () => worker.stop())));
    for (const resource of options.resources ?? []) await step(resource.name, () => resource.close());
    return failed;
  };

  return {
    url: http.url,
    port: http.port,
    http,
    stop: (deadlineMs) => (stopping ??= stop(deadlineMs)),
  };
}

/** What `runService` needs from a service's config (every config reader returns these). */
export interface ServiceConfig {
  service: string;
  http: { host: string; port: number };
  log: Pick<LoggerOptions, 'level' | 'format' | 'fluentd'>;
  /** The one shutdown deadline: shorter than the chart's termination grace (see helm _helpers.tpl). */
  shutdownTimeoutMs: number;
}

export interface Boot<TContext extends RequestContext> {
  app: ServiceApp<TContext>;
  /** Closed in order after the app's workers stopped. */
  resources?: Resource[];
  /** Extra fields for the "ready" log line (e.g. the JWKS URL). */
  readyFields?: Record<string, unknown>;
}

/**
 * A service's `main`: builds the app (connecting what it needs), listens, and on SIGTERM/SIGINT stops
 * everything within `config.shutdownTimeoutMs`, then exits. A failed start is logged and exits 1.
 */
export async function runService<TContext extends RequestContext>(
  config: ServiceConfig,
  build: (logger: Logger) => Promise<Boot<TContext>>,
): Promise<void> {
  const logger = createLogger({ service: config.service, ...config.log });
  let running: RunningService;
  try {
    const boot = await build(logger);
    running = await serveApp(boot.app, { listen: config.http, logger, resources: boot.resources ?? [] });
    logger.info(`${config.service} ready`, { url: running.url, ...boot.readyFields });
  } catch (error) {
    logger.error('failed to start', { err: error });
    await logger.close();
    process.exit(1);
  }
  const onSignal = (signal: string) => {
    logger.info('shutting down', { signal, deadlineMs: config.shutdownTimeoutMs });
    void running.stop(config.shutdownTimeoutMs).then(async (failed) => {
      await logger.close();
      process.exit(failed.length > 0 ? 1 : 0);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
