import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { createAmqpConnection, type AmqpConnection } from '@little-ecom/amqp';
import { createTokenVerifier } from '@little-ecom/auth';
import { buildEvent, publishOptions, type EventDataByType, type EventEnvelope, type EventType } from '@little-ecom/events';
import { startHttpServer, type RunningHttpServer } from '@little-ecom/http';
import { createLogger, type Logger } from '@little-ecom/logger';
import {
  createTestIssuer,
  freshDatabase,
  graphqlRequest,
  testEnv,
  type TestDatabase,
  type TestIssuer,
} from '@little-ecom/testing';
import type { DeliverySettings } from '../src/delivery/delivery.worker.js';
import { deleteTopology, declareTopology, topologyNames, type Topology } from '../src/events/topology.js';
import { ensureNotificationIndexes, startNotificationsRuntime, type NotificationsRuntime } from '../src/runtime.js';
import { createServer } from '../src/server.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

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
  topology: Topology;
  connection: AmqpConnection;
  runtime: NotificationsRuntime;
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
  smtpUrl?: string;
  delivery?: Partial<DeliverySettings>;
  maxRetries?: number;
}

/** The notifications subgraph with its consumer and delivery worker, on a fresh database and a private topology. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await freshDatabase('notifications');
  await ensureNotificationIndexes(db.db);
  const logs: Record<string, unknown>[] = [];
  const logger = capturingLogger(logs);
  const topology = topologyNames(`test-${randomUUID().slice(0, 8)}.`);
  const connection = createAmqpConnection({
    url: options.amqpUrl ?? testEnv.amqpUrl,
    name: `notifications-test-${topology.queue}`,
    logger,
    minDelayMs: 50,
    maxDelayMs: 500,
  });
  const runtime = startNotificationsRuntime({
    db: db.db,
    connection,
    topology,
    logger,
    consumer: { prefetch: 10, maxRetries: options.maxRetries ?? 3, retryDelayMs: 100 },
    delivery: {
      concurrency: 5,
      maxAttempts: 4,
      retryBaseMs: 100,
      retryMaxDelayMs: 500,
      pollIntervalMs: 200,
      ...options.delivery,
    },
    mail: {
      smtpUrl: options.smtpUrl ?? testEnv.smtpUrl,
      from: 'little-ecom <no-reply@test.little-ecom.local>',
      maxConnections: 3,
      storefrontUrl: 'http://shop.test',
    },
  });
  const issuer = await createTestIssuer();
  const verifier = createTokenVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
    algorithms: ['ES256'],
  });
  const { apollo, context } = createServer({
    db: db.db,
    verifier,
    logger,
    production: false,
    wakeDelivery: () => runtime.wakeDelivery(),
  });
  await apollo.start();
  const http: RunningHttpServer = await startHttpServer({ apollo, context, logger }, { host: '127.0.0.1', port: 0 });
  await connection.ready();
  const publisher = await startPublisher(topology);
  const url = `${http.url}/graphql`;
  return {
    db,
    topology,
    connection,
    runtime,
    issuer,
    url,
    logs,
    publisher,
    async gql(query, variables, as) {
      return graphqlRequest(url, query, variables, { authorization: `Bearer ${await issuer.sign(as)}` });
    },
    async close() {
      await http.drain(1_000);
      await runtime.stop();
      await connection.close();
      await publisher.close(true);
      await issuer.close();
      await db.drop();
    },
  };
}

export interface Publisher {
  channel: ConfirmChannel;
  publish<T extends EventType>(type: T, data: EventDataByType[T], correlationId?: string): Promise<EventEnvelope>;
  /** Publishes an envelope as it is, e.g. a second time. */
  republish(event: EventEnvelope): Promise<void>;
  raw(routingKey: string, body: Buffer): Promise<void>;
  close(deleteTopologyToo?: boolean): Promise<void>;
}

/** A confirm-channel publisher on the harness's exchange, standing in for products and accounts. */
export async function startPublisher(topology: Topology): Promise<Publisher> {
  const model: ChannelModel = await amqp.connect(testEnv.amqpUrl);
  const channel = await model.createConfirmChannel();
  await declareTopology(channel, topology);
  const send = async (routingKey: string, body: Buffer, options: Parameters<ConfirmChannel['publish']>[3]) => {
    channel.publish(topology.exchange, routingKey, body, options);
    await channel.waitForConfirms();
  };
  return {
    channel,
    async publish(type, data, correlationId = randomUUID()) {
      const event = buildEvent(type, data as unknown as Record<string, unknown>, { source: 'test', correlationId });
      await send(type, Buffer.from(JSON.stringify(event)), publishOptions(event));
      return event;
    },
    republish: (event) => send(event.type, Buffer.from(JSON.stringify(event)), publishOptions(event)),
    raw: (routingKey, body) => send(routingKey, body, { persistent: true, contentType: 'application/json' }),
    async close(deleteTopologyToo = false) {
      if (deleteTopologyToo) await deleteTopology(channel, topology).catch(() => undefined);
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

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((r) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), r(true)));
      socket.once('error', () => r(false));
    });
    if (open === up) return;
    await sleep(50);
  }
  throw new Error(`port ${port} did not become ${up ? 'reachable' : 'free'}`);
}

/** A Mailpit of this test's own, on free loopback ports, that the test may stop and start again; its mail survives restarts. */
export interface PrivateMailpit {
  smtpUrl: string;
  apiUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function privateMailpit(): Promise<PrivateMailpit> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-mailpit-'));
  const smtpPort = await freePort();
  const httpPort = await freePort();
  let child: ChildProcess | null = null;
  const bin = join(repoRoot, '.tools/bin/mailpit');
  const api = {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl: `http://127.0.0.1:${httpPort}`,
    async start() {
      child = spawn(
        bin,
        ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--database', join(dir, 'mailpit.db')],
        {
          stdio: 'ignore',
        },
      );
      await waitForPort(smtpPort, true);
      await waitForPort(httpPort, true);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
      await waitForPort(smtpPort, false);
    },
    async dispose() {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}
