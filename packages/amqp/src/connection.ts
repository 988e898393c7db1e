import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from '@little-ecom/logger';

/** Work to redo on every new connection: declare topology, open channels, start consumers. */
export type ConnectionSetup = (model: ChannelModel) => Promise<void>;

export interface AmqpConnectionOptions {
  url: string;
  /** Shown by RabbitMQ (`rabbitmqctl list_connections client_properties`), so an operator can tell who is connected. */
  name: string;
  logger: Logger;
  /** First reconnect delay; doubles up to `maxDelayMs` (with jitter) while the broker stays away. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Seconds between heartbeats; a silent peer is declared dead after about two of them. */
  heartbeatSeconds?: number;
}

export interface AmqpConnection {
  readonly name: string;
  /** Runs `setup` now if connected, and again after every reconnect. A failing setup drops the connection and retries. */
  onConnect(setup: ConnectionSetup): Promise<void>;
  /** The live connection, if any. */
  current(): ChannelModel | null;
  /** Resolves with the live connection, waiting for a (re)connect up to `timeoutMs`. */
  ready(timeoutMs?: number): Promise<ChannelModel>;
  /** Closes for good: no more reconnects. */
  close(): Promise<void>;
}

/**
 * A connection that keeps itself alive: when the broker goes away (restart, network cut, forced
 * close) it reconnects with exponential backoff and replays every registered setup, so topology,
 * channels and consumers come back on their own. Connecting starts immediately, in the background.
 */
export function createAmqpConnection(options: AmqpConnectionOptions): AmqpConnection {
  const { url, name, logger } = options;
  const minDelay = options.minDelayMs ?? 200;
  // Capped low: the first attempt after the broker is back should not wait long (see docs/events.md).
  const maxDelay = options.maxDelayMs ?? 5_000;
  const heartbeat = options.heartbeatSeconds ?? 10;
  const setups: ConnectionSetup[] = [];
  const waiters = new Set<(model: ChannelModel) => void>();
  let model: ChannelModel | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const scheduleConnect = () => {
    if (closed || timer) return;
    const base = attempt === 0 ? 0 : Math.min(minDelay * 2 ** (attempt - 1), maxDelay);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
  };

  const connect = async () => {
    if (closed) return;
    attempt++;
    let next: ChannelModel;
    try {
      next = await amqp.connect(withHeartbeat(url, heartbeat), { clientProperties: { connection_name: name }, timeout: 10_000 });
    } catch (error) {
      logger.warn('AMQP connection failed, retrying', { attempts: attempt, err: error });
      scheduleConnect();
      return;
    }
    if (closed) {
      await next.close().catch(() => undefined);
      return;
    }
    next.on('error', (error: Error) => logger.warn('AMQP connection error', { err: error }));
    next.on('close', () => {
      if (model === next) model = null;
      if (!closed) {
        logger.warn('AMQP connection lost, reconnecting');
        scheduleConnect();
      }
    });
    try {
      for (const setup of setups) await setup(next);
    } catch (error) {
      logger.error('AMQP connection setup failed, reconnecting', { err: error });
      await next.close().catch(() => undefined); // the close handler schedules the retry
      return;
    }
    model = next;
    if (attempt > 1) logger.info('AMQP connection re-established', { attempts: attempt });
    attempt = 0;
    for (const resolve of waiters) resolve(next);
    waiters.clear();
  };

  scheduleConnect();

  return {
    name,
    async onConnect(setup) {
      setups.push(setup);
      if (model) {
        try {
          await setup(model);
        } catch (error) {
          logger.error('AMQP connection setup failed, reconnecting', { err: error });
          await model?.close().catch(() => undefined);
        }
      }
    },
    current: () => model,
    ready(timeoutMs = 30_000) {
      if (model) return Promise.resolve(model);
      return new Promise((resolve, reject) => {
        const done = (m: ChannelModel) => {
          clearTimeout(t);
          resolve(m);
        };
        const t = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`AMQP connection ${name} not ready within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(done);
      });
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const current = model;
      model = null;
      await current?.close().catch(() => undefined);
    },
  };
}

/**
 * amqplib takes the heartbeat from the URL only; without it the server's 60 s applies, and a peer that
 * vanished without closing the socket is noticed only after about two minutes.
 */
function withHeartbeat(url: string, seconds: number): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}

/**
 * The readiness check of a service's broker connection: informational (shown in /readyz without
 * making the service unready), since writes go on while events wait in an outbox.
 */
export const brokerReadiness = (amqp: AmqpConnection) => ({
  name: 'rabbitmq',
  informational: true,
  check: async () => void (await amqp.ready(1_000)),
});
