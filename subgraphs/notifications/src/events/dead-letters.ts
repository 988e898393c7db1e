import { publishMandatory, type ConfirmChannel } from '@little-ecom/amqp';
import type { ConsumerTopology } from '@little-ecom/events';

export interface DeadLetter {
  messageId: string | undefined;
  type: string | undefined;
  routingKey: string;
  /** Why RabbitMQ dead-lettered it (`rejected`, `expired`, …), from the x-death header. */
  reason: string | undefined;
  body: string;
}

export interface ReplayOptions {
  /** Upper bound on messages handled in one run. */
  limit: number;
  /** Only list: every message is put back in the dead-letter queue untouched. */
  dryRun?: boolean;
  /** Only replay messages of these event types; others stay dead-lettered. */
  types?: string[];
}

/**
 * Moves dead-lettered events back to the notifications queue (after the cause was fixed), or just
 * lists them. Each message is republished and confirmed before it is acked off the dead-letter
 * queue, so a crash mid-run duplicates at worst; consumers are idempotent.
 */
export async function replayDeadLetters(
  channel: ConfirmChannel,
  t: ConsumerTopology,
  options: ReplayOptions,
): Promise<{ replayed: DeadLetter[]; kept: DeadLetter[] }> {
  const replayed: DeadLetter[] = [];
  const kept: DeadLetter[] = [];
  const held = [];
  for (let i = 0; i < options.limit; i++) {
    const msg = await channel.get(t.deadLetterQueue, { noAck: false });
    if (!msg) break;
    const headers = { ...msg.properties.headers };
    const death = (headers['x-death'] as { reason?: string }[] | undefined)?.[0];
    const letter: DeadLetter = {
      messageId: msg.properties.messageId as string | undefined,
      type: msg.properties.type as string | undefined,
      routingKey: msg.fields.routingKey,
      reason: death?.reason,
      body: msg.content.toString('utf8').slice(0, 2_000),
    };
    if (options.dryRun || (options.types && !options.types.includes(letter.type ?? letter.routingKey))) {
      kept.push(letter);
      held.push(msg); // released all at once below, so this run does not see them again
      continue;
    }
    delete headers['x-death'];
    delete headers['x-retries'];
    delete headers['x-delivery-count'];
    // Mandatory: a replay into a queue that does not exist must not ack the dead letter away.
    const { returned } = await publishMandatory(
      channel,
      [
        {
          exchange: '',
          routingKey: t.queue,
          content: msg.content,
          options: {
            ...msg.properties,
            headers: { ...headers, 'x-replayed-at': new Date().toISOString() },
            persistent: true,
            messageId: letter.messageId ?? `dead-letter-${msg.fields.deliveryTag}`,
          },
        },
      ],
      10_000,
    );
    if (returned.length > 0) {
      held.push(msg);
      kept.push(letter);
      break;
    }
    channel.ack(msg);
    replayed.push(letter);
  }
  for (const msg of held) channel.nack(msg, false, true);
  return { replayed, kept };
}
