import type { AmqpConnection, Channel } from '@little-ecom/amqp';
import type { Logger } from '@little-ecom/logger';
import { gauge, type Metrics } from '@little-ecom/telemetry';
import { EVENT_TYPES } from './contracts/registry.js';
import { EVENTS_EXCHANGE } from './envelope.js';
import { declareEventsExchange } from './relay.js';
import { consumerTopology, queueSpecs, type ConsumerTopology } from './topology.js';

/**
 * Every service that consumes events and the routing keys its queue is bound to: the one list the
 * consumers declare their queues from, every producer declares at start too (so an event published
 * before a consumer ever ran waits in its queue), and infra/rabbitmq/definitions.json mirrors.
 * `mandatory` cannot see a missing queue when another one is bound (product.* reaches orders and
 * notifications), so a queue must exist before its first event is published, whoever starts first.
 */
export const CONSUMER_BINDINGS = {
  notifications: ['user.*', 'product.*', 'order.*'],
  products: ['order.placed', 'order.cancelled', 'order.shipped', 'order.rejected'],
  orders: ['stock.reserved', 'stock.rejected', 'product.created', 'product.updated', 'product.deleted'],
} as const satisfies Record<string, readonly string[]>;

export type ConsumerName = keyof typeof CONSUMER_BINDINGS;

export const CONSUMER_NAMES = Object.keys(CONSUMER_BINDINGS) as ConsumerName[];

/** Whether a topic-exchange binding `pattern` (`*` one word, `#` any number) matches `routingKey`. */
export function bindingMatches(pattern: string, routingKey: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    return k.length > 0 && (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), routingKey.split('.'));
}

/** The consumers whose queue an event of `routingKey` must reach. */
export const consumersOf = (routingKey: string): ConsumerName[] =>
  CONSUMER_NAMES.filter((name) => CONSUMER_BINDINGS[name].some((pattern) => bindingMatches(pattern, routingKey)));

/** Every consumer's topology under a prefix, with default retry settings (what definitions.json holds). */
export const allConsumerTopologies = (prefix = ''): Record<ConsumerName, ConsumerTopology> =>
  Object.fromEntries(
    CONSUMER_NAMES.map((name) => [name, consumerTopology(name, [...CONSUMER_BINDINGS[name]], prefix)]),
  ) as Record<ConsumerName, ConsumerTopology>;

/**
 * Declares what a producer needs to exist before it publishes: a consumer's dead-letter exchange and
 * queue, and its main queue with its bindings. Not the retry queues: their TTLs are the consumer's
 * own settings, declared by the consumer when it starts (a message only goes there once it runs).
 */
async function declareConsumerQueues(channel: Channel, t: ConsumerTopology): Promise<void> {
  await channel.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  for (const spec of queueSpecs(t).filter((s) => s.name === t.queue || s.name === t.deadLetterQueue)) {
    await channel.assertQueue(spec.name, { durable: true, arguments: spec.arguments });
    for (const binding of spec.bindings) await channel.bindQueue(spec.name, binding.exchange, binding.routingKey);
  }
}

export interface EventTopologyOptions {
  /** The events exchange producers publish to (prefixed in tests). */
  exchange: string;
  /** Queue name prefix; by default what `exchange` has before the default exchange name ('' in production). */
  prefix?: string;
  logger: Logger;
  metrics?: Metrics;
}

const prefixOf = (options: EventTopologyOptions) =>
  options.prefix ?? (options.exchange.endsWith(EVENTS_EXCHANGE) ? options.exchange.slice(0, -EVENTS_EXCHANGE.length) : '');

export interface TopologyCheck {
  /** Per routing key (every event type): the queues it must reach that are not there. */
  missing: Record<string, string[]>;
}

/**
 * Declares every consumer's queues and bindings (see `declareConsumerQueues`), then checks, per event
 * type, that every queue it must reach exists. A queue that could not be declared (e.g. one left
 * with other arguments: 406 PRECONDITION_FAILED) is an alert: logged as an error and counted in
 * `events_topology_missing_queues{routing_key}`; the events for it would be lost while another
 * consumer's queue makes them look routed. Never throws: a producer still publishes to the rest.
 */
export async function declareEventTopology(connection: AmqpConnection, options: EventTopologyOptions): Promise<TopologyCheck> {
  const { logger, exchange } = options;
  const topologies = allConsumerTopologies(prefixOf(options));
  for (const t of Object.values(topologies)) t.exchange = exchange;
  const model = await connection.ready();
  const declared = new Set<string>();
  // A failed declaration closes its channel: one channel per consumer.
  const withChannel = async (run: (channel: Channel) => Promise<void>): Promise<boolean> => {
    let channel: Channel | undefined;
    try {
      channel = await model.createChannel();
      channel.on('error', () => undefined);
      await run(channel);
      return true;
    } catch (error) {
      logger.error('event topology declaration failed', { err: error });
      return false;
    } finally {
      await channel?.close().catch(() => undefined);
    }
  };
  await withChannel((channel) => declareEventsExchange(channel, exchange));
  for (const name of CONSUMER_NAMES) {
    const t = topologies[name];
    if (await withChannel((channel) => declareConsumerQueues(channel, t))) {
      // Declared here, or there already: check it is there (another process may delete it, too).
      if (await withChannel(async (channel) => void (await channel.checkQueue(t.queue)))) declared.add(name);
    }
  }
  const missing: Record<string, string[]> = {};
  const counts = options.metrics
    ? gauge(options.metrics, 'events_topology_missing_queues', 'Queues an event type must reach that are missing', [
        'routing_key',
      ])
    : null;
  for (const routingKey of EVENT_TYPES) {
    const expected = consumersOf(routingKey);
    const absent = expected.filter((name) => !declared.has(name)).map((name) => topologies[name].queue);
    counts?.set({ routing_key: routingKey }, absent.length);
    if (absent.length === 0) continue;
    missing[routingKey] = absent;
    logger.error('routing key has fewer queues than expected', {
      routingKey,
      expected: expected.length,
      bound: expected.length - absent.length,
      missing: absent,
    });
  }
  return { missing };
}

/**
 * Runs `declareEventTopology` now and after every reconnect (a broker restarted without its
 * definitions comes back empty); for every producer's start.
 */
export function startEventTopology(connection: AmqpConnection, options: EventTopologyOptions): void {
  void connection.onConnect(async () => {
    // In the background: a setup must not hold the connection's other setups (or fail them).
    void declareEventTopology(connection, options).catch((error: unknown) =>
      options.logger.error('event topology declaration failed', { err: error }),
    );
  });
}
