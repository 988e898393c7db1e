import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '@little-ecom/logger';
import type { AmqpConnection } from './connection.js';

export interface ManagedChannelOptions<C extends Channel> {
  /** For logs: what the channel is for (`relay`, `consumer`). */
  name: string;
  confirm: C extends ConfirmChannel ? true : false;
  /**
   * Declares what the channel needs (exchanges, queues, bindings, prefetch) and starts consumers; runs
   * on every new channel. A failure closes that channel and a new one is tried after a backoff.
   */
  setup(channel: C): Promise<void>;
  logger: Logger;
  /** First retry delay after a failed open or setup; doubles (with jitter) up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface ManagedChannel<C extends Channel> {
  /** The open, set-up channel, if any. */
  current(): C | null;
  /** Resolves with the channel, waiting for it up to `timeoutMs`. */
  ready(timeoutMs?: number): Promise<C>;
  /**
   * Throws the current channel away and builds a new one (topology, consumers), e.g. after the broker
   * cancelled a consumer or a confirm wait timed out.
   */
  reopen(reason: string): void;
  /** How many times a channel was (re)built; for health detail and tests. */
  readonly opens: number;
  close(): Promise<void>;
}

/**
 * A channel that heals itself at every level: a channel closed by the broker (404 on a missing
 * exchange, 406 on a bad ack, a deleted queue), a consumer cancelled by the broker (`basic.cancel`,
 * which callers report with `reopen`) and a lost connection all end with a new channel on which
 * `setup` ran again. A connection that comes back gets a channel at once; a channel-level failure on
 * a live connection is retried with backoff, so a permanent error (a queue declared with other
 * arguments) does not spin.
 */
export function createManagedChannel<C extends Channel>(
  connection: AmqpConnection,
  options: ManagedChannelOptions<C>,
): ManagedChannel<C> {
  const { name, logger: log } = options;
  const minDelay = options.minDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  let channel: C | null = null;
  let model: ChannelModel | null = null;
  let opening = false;
  let closed = false;
  let failures = 0;
  let opens = 0;
  let timer: NodeJS.Timeout | undefined;
  const waiters = new Set<(ch: C) => void>();

  const schedule = () => {
    if (closed || timer) return;
    const base = failures === 0 ? 0 : Math.min(minDelay * 2 ** (failures - 1), maxDelay);
    timer = setTimeout(
      () => {
        timer = undefined;
        void open();
      },
      Math.round(base * (0.8 + Math.random() * 0.4)),
    );
  };

  async function open(): Promise<void> {
    const on = model;
    if (closed || opening || channel || !on) return;
    opening = true;
    let next: C | null = null;
    try {
      next = (options.confirm ? await on.createConfirmChannel() : await on.createChannel()) as C;
      const created = next;
      created.on('error', (error: Error) => log.warn('AMQP channel error', { channel: name, err: error }));
      created.on('close', () => {
        if (channel !== created) return;
        channel = null;
        if (closed) return;
        // A connection loss closes every channel too; the connection's setup reopens this one then.
        if (model === on) log.warn('AMQP channel closed, reopening', { channel: name });
        schedule();
      });
      await options.setup(created);
      if (closed) {
        await created.close().catch(() => undefined);
        return;
      }
      channel = created;
      opens++;
      if (failures > 0) log.info('AMQP channel re-established', { channel: name, attempts: failures + 1 });
      failures = 0;
      for (const resolve of waiters) resolve(created);
      waiters.clear();
    } catch (error) {
      failures++;
      log.error('AMQP channel setup failed, retrying', { channel: name, attempts: failures, err: error });
      await next?.close().catch(() => undefined);
      schedule();
    } finally {
      opening = false;
    }
  }

  void connection.onConnect(async (next) => {
    model = next;
    next.once('close', () => {
      if (model === next) model = null;
    });
    clearTimeout(timer);
    timer = undefined;
    failures = 0;
    channel = null;
    // Never throws: a channel problem is this channel's to retry, not a reason to drop the connection.
    await open();
  });

  return {
    current: () => channel,
    ready(timeoutMs = 30_000) {
      if (channel) return Promise.resolve(channel);
      return new Promise((resolve, reject) => {
        const done = (ch: C) => {
          clearTimeout(t);
          resolve(ch);
        };
        const t = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`AMQP channel ${name} not ready within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(done);
      });
    },
    reopen(reason) {
      const current = channel;
      if (closed || !current) return;
      log.warn('AMQP channel reset, reopening', { channel: name, reason });
      channel = null;
      void current.close().catch(() => undefined);
      schedule();
    },
    get opens() {
      return opens;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const current = channel;
      channel = null;
      await current?.close().catch(() => undefined);
    },
  };
}
