import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** `messageId` is required: it is how a returned message is matched to what was published. */
  options: Options.Publish & { messageId: string };
}

export interface PublishOutcome {
  /** Message ids the broker confirmed and routed to at least one queue. */
  routed: string[];
  /** Message ids the broker returned (`mandatory`: no queue bound for the routing key). Not delivered anywhere. */
  returned: string[];
}

/** The broker did not confirm in time; whether the messages arrived is unknown, so the channel must be replaced. */
export class ConfirmTimeoutError extends Error {
  /** Messages the broker did confirm before the wait ended, and those of them it returned (unroutable). */
  settled: PublishOutcome = { routed: [], returned: [] };
  constructor(timeoutMs: number) {
    super(`broker did not confirm within ${timeoutMs} ms`);
    this.name = 'ConfirmTimeoutError';
  }
}

/**
 * Publishes `messages` as `mandatory` on a confirm channel and waits for every confirm, bounded by
 * `timeoutMs` (and so is each wait for the socket to drain). A returned message is reported, not
 * thrown: RabbitMQ confirms an unroutable message after returning it, so a confirm alone does not
 * mean "delivered". Rejects when the broker nacks, the channel closes or the wait times out; the
 * caller then treats the whole batch as not published.
 */
export async function publishMandatory(
  channel: ConfirmChannel,
  messages: readonly OutgoingMessage[],
  timeoutMs: number,
): Promise<PublishOutcome> {
  const ids = new Set(messages.map((m) => m.options.messageId));
  const returned = new Set<string>();
  const onReturn = (msg: ConsumeMessage) => {
    const id = msg.properties.messageId as unknown;
    if (typeof id === 'string' && ids.has(id)) returned.add(id);
  };
  // An object, not a variable: TypeScript does not see closures assign it.
  const state: { closed: Error | null; abort: ((error: Error) => void) | null } = { closed: null, abort: null };
  const onClose = () => {
    state.closed = new Error('channel closed before every message was confirmed');
    state.abort?.(state.closed);
  };
  channel.on('return', onReturn);
  channel.once('close', onClose);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    state.abort = reject;
    timer = setTimeout(() => reject(new ConfirmTimeoutError(timeoutMs)), timeoutMs);
  });
  deadline.catch(() => undefined);
  const confirmedIds = new Set<string>();
  try {
    const confirms: Promise<void>[] = [];
    for (const m of messages) {
      if (state.closed) throw state.closed;
      let ok = false;
      const confirmed = new Promise<void>((resolve, reject) => {
        ok = channel.publish(m.exchange, m.routingKey, m.content, { ...m.options, mandatory: true }, (error) => {
          if (error) return reject(error instanceof Error ? error : new Error('message nacked'));
          confirmedIds.add(m.options.messageId);
          resolve();
        });
      });
      // Observed below through Promise.all; this keeps an early rejection from counting as unhandled.
      confirmed.catch(() => undefined);
      confirms.push(confirmed);
      if (!ok) await Promise.race([new Promise((resolve) => channel.once('drain', resolve)), deadline]);
    }
    await Promise.race([Promise.all(confirms), deadline]);
    // basic.return precedes the basic.ack of the same message on the wire, so every return is in by now.
    const routed = messages.map((m) => m.options.messageId).filter((id) => !returned.has(id));
    return { routed, returned: [...returned] };
  } catch (error) {
    // What was confirmed before the timeout is settled: the caller need not publish it again.
    if (error instanceof ConfirmTimeoutError)
      error.settled = { routed: [...confirmedIds].filter((id) => !returned.has(id)), returned: [...returned] };
    throw error;
  } finally {
    clearTimeout(timer);
    channel.off('return', onReturn);
    channel.off('close', onClose);
  }
}
