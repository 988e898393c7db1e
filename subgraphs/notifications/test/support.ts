import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import {
  buildEvent,
  declareConsumerTopology,
  deleteConsumerTopology,
  publishOptions,
  type EventData,
  type EventInput,
  type EventEnvelope,
  type EventType,
  type ConsumerTopology,
  type RetrySettings,
} from '@little-ecom/events';
import { createLogger, type Logger } from '@little-ecom/logger';
import { serveApp, type RunningService } from '@little-ecom/service';
import {
  createTestIssuer,
  freshDatabase,
  graphqlRequest,
  privateMailpit,
  testEnv,
  type TestDatabase,
  type TestIssuer,
} from '@little-ecom/testing';
import { createNotificationsApp, type NotificationsApp } from '../src/app.js';
import { loadNotificationsConfig } from '../src/config.js';
import type { DeliverySettings } from '../src/delivery/delivery.worker.js';

/** A unique, routable test address; Mailpit searches are filtered by it so parallel tests never see each other's mail. */
export const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

export function capturingLogger(records: Record<string, unknown>[], level: 'debug' | 'info' = 'info'): Logger {
  return createLogger({
    service: 'notifications',
    level,
    write: (line) => records.push(JSON.parse(line) as Record<string, unknown>),
  });
}

export interface Harness {
  db: TestDatabase;
  topology: ConsumerTopology;
  connection: AmqpConnection;
  app: NotificationsApp;
  issuer: TestIssuer;
  url: string;
  logs: Record<string, unknown>[];
  publisher: Publisher;
  /** GraphQL as a signed-in user. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    as: { sub: string; role: string },
  ): ReturnType<typeof graphqlRequest<T>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  amqpUrl?: string;
  /** Where the test's publisher connects (the shared broker by default, not through `amqpUrl`'s proxy). */
  publisherUrl?: string;
  /** A database of the test's own (e.g. on a private FerretDB it stops); dropped on close. */
  database?: TestDatabase;
  /** Retry delays of the topology (100 ms doubling by default; `DEFAULT_RETRY` for the product's defaults). */
  retry?: RetrySettings;
  smtpUrl?: string;
  delivery?: Partial<DeliverySettings>;
  maxRetries?: number;
}

/** The notifications subgraph with its consumer and delivery worker, on a fresh database and a private topology. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = options.database ?? (await freshDatabase('notifications'));
  const retry = options.retry ?? { maxRetries: options.maxRetries ?? 3, retryDelayMs: 100 };
  const logs: Record<string, unknown>[] = [];
  const logger = capturingLogger(logs);
  const prefix = `test-${randomUUID().slice(0, 8)}.`;
  const connection = createAmqpConnection({
    url: options.amqpUrl ?? testEnv.amqpUrl,
    name: `notifications-test-${prefix}`,
    logger,
    minDelayMs: 50,
    maxDelayMs: 500,
  });
  // Test-sized settings, through the same config reader as production.
  const config = loadNotificationsConfig({
    NODE_ENV: 'test',
    AMQP_PREFIX: prefix,
    AMQP_PREFETCH: '10',
    EVENT_MAX_RETRIES: String(retry.maxRetries),
    EVENT_RETRY_DELAY_MS: String(retry.retryDelayMs),
    SMTP_URL: options.smtpUrl ?? testEnv.smtpUrl,
    SMTP_MAX_CONNECTIONS: '3',
    MAIL_FROM: 'little-ecom <no-reply@test.little-ecom.local>',
    STOREFRONT_URL: 'http://shop.test',
    DELIVERY_CONCURRENCY: '5',
    DELIVERY_MAX_ATTEMPTS: '4',
    DELIVERY_RETRY_BASE_MS: '100',
    DELIVERY_RETRY_MAX_DELAY_MS: '500',
    DELIVERY_POLL_INTERVAL_MS: '200',
    DELIVERY_CIRCUIT_PROBE_MS: '200',
    DELIVERY_CIRCUIT_PROBE_MAX_MS: '1000',
  });
  const issuer = await createTestIssuer();
  const app = await createNotificationsApp(
    { ...config, delivery: { ...config.delivery, ...options.delivery } },
    // Tested alone, called directly: no gateway signature to check.
    { db: db.db, logger, amqp: connection, verifier: createTokenVerifier(issuer.verifierOptions), gatewayKey: null },
  );
  const { topology } = app;
  const http: RunningService = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  await connection.ready();
  const publisher = await startPublisher(topology, options.publisherUrl);
  const url = `${http.url}/graphql`;
  return {
    db,
    topology,
    connection,
    app,
    issuer,
    url,
    logs,
    publisher,
    async gql(query, variables, as) {
      return graphqlRequest(url, query, variables, { authorization: `Bearer ${await issuer.sign(as)}` });
    },
    async close() {
      await http.stop(5_000);
      await connection.close();
      await publisher.close(true);
      await issuer.close();
      await db.drop();
    },
  };
}

export interface Publisher {
  channel: ConfirmChannel;
  /** `aggregateVersion` defaults to 1 (a first version) when the test does not care. */
  publish<T extends EventType>(type: T, data: EventInput<T>, correlationId?: string): Promise<EventEnvelope>;
  /** Publishes an envelope as it is, e.g. a second time. */
  republish(event: EventEnvelope): Promise<void>;
  raw(routingKey: string, body: Buffer): Promise<void>;
  close(deleteTopologyToo?: boolean): Promise<void>;
}

/** A confirm-channel publisher on the harness's exchange, standing in for products and accounts. */
export async function startPublisher(topology: ConsumerTopology, url = testEnv.amqpUrl): Promise<Publisher> {
  const model: ChannelModel = await amqp.connect(url);
  // A fault test may stop the broker under it: a forced close is expected then, not a crash.
  model.on('error', () => undefined);
  const channel = await model.createConfirmChannel();
  channel.on('error', () => undefined);
  await declareConsumerTopology(channel, topology);
  const send = async (routingKey: string, body: Buffer, options: Parameters<ConfirmChannel['publish']>[3]) => {
    channel.publish(topology.exchange, routingKey, body, options);
    await channel.waitForConfirms();
  };
  return {
    channel,
    async publish(type, data, correlationId = randomUUID()) {
      const event = buildEvent(type, { aggregateVersion: 1, ...data } as EventData<typeof type>, {
        source: 'test',
        correlationId,
      });
      await send(type, Buffer.from(JSON.stringify(event)), publishOptions(event));
      return event;
    },
    republish: (event) => send(event.type, Buffer.from(JSON.stringify(event)), publishOptions(event)),
    raw: (routingKey, body) => send(routingKey, body, { persistent: true, contentType: 'application/json' }),
    async close(deleteTopologyToo = false) {
      if (deleteTopologyToo) await deleteConsumerTopology(channel, topology).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}

export interface MailpitMessage {
  ID: string;
  Subject: string;
  To: { Address: string }[];
  MessageID: string;
}

/** Messages Mailpit holds for `address`. */
export async function mailTo(address: string, apiUrl = testEnv.mailpitApiUrl): Promise<MailpitMessage[]> {
  const response = await fetch(`${apiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`);
  if (!response.ok) throw new Error(`Mailpit search failed: ${response.status}`);
  return ((await response.json()) as { messages: MailpitMessage[] }).messages;
}

/** The text body of one Mailpit message. */
export async function mailText(id: string, apiUrl = testEnv.mailpitApiUrl): Promise<{ Text: string; HTML: string }> {
  const response = await fetch(`${apiUrl}/api/v1/message/${id}`);
  return (await response.json()) as { Text: string; HTML: string };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Mailpit of the test's own, on free loopback ports, that the test may stop and start again. */
export type PrivateMailpit = Awaited<ReturnType<typeof privateMailpit>>;
export { privateMailpit };
