import { randomBytes, randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Only tracing is imported statically: it must start before node:http users and the MongoDB driver
// load (as each service's instrument.ts does), so the stack and its helpers are imported below.
import { startTelemetry, telemetryConfig, type Telemetry } from '@little-ecom/telemetry/sdk';
// Private test servers only: no MongoDB driver behind this entry point.
import { privateJaeger, type JaegerTrace } from '@little-ecom/testing/processes';
import {
  CreateProductDocument,
  LogInDocument,
  SignUpDocument,
  UpdateNotificationPreferencesDocument,
} from './__generated__/operations.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type * as Testing from '@little-ecom/testing';
import type * as Harness from './harness.js';
import type { Stack } from './harness.js';

/**
 * Traces, logs and metrics of one `createProduct` through the whole system: the gateway and every
 * subgraph in this process (one tracer provider, so one `service.name`: spans are told apart by what
 * they are, see docs/observability.md), exporting over OTLP to a Jaeger of the test's own, and found
 * again through Jaeger's query API by the trace id the gateway returned.
 */
let jaeger: Awaited<ReturnType<typeof privateJaeger>>;
let telemetry: Telemetry;
let stack: Stack;
let testing: typeof Testing;
let mailTo: (typeof Harness)['mailTo'];
let admin: { email: string; password: string };

const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

beforeAll(async () => {
  jaeger = await privateJaeger();
  await jaeger.start();
  telemetry = startTelemetry(
    telemetryConfig('little-ecom-e2e', { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_GRAPHQL_RESOLVER_SPANS: 'true' }),
  );
  testing = await import('@little-ecom/testing');
  const harness = await import('./harness.js');
  mailTo = harness.mailTo;
  const { startStack } = harness;
  stack = await startStack({ mode: 'pipeline' });
  admin = { email: uniqueEmail('admin'), password: 'an admin password for tracing' };
  await stack.accounts!.createAdmin(admin.email, admin.password);
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await telemetry?.shutdown();
  await jaeger?.dispose();
});

async function gql<T, V>(document: TypedDocumentNode<T, V>, variables: V, token?: string) {
  const result = await testing.graphqlRequest(
    stack.gatewayUrl,
    document,
    variables,
    token ? { authorization: `Bearer ${token}` } : {},
  );
  expect(result.errors).toBeUndefined();
  return result.data!;
}

/** `/metrics` of a running service, checked line by line against the Prometheus text format. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(
        line,
      );
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include every `labels` pair. */
function total(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of samples) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

const tag = (span: JaegerTrace['spans'][number], key: string) => span.tags.find((t) => t.key === key)?.value;

describe('observability of a createProduct', () => {
  it('traces it from the client through the gateway, products, MongoDB, the relay, the consumer and the SMTP send; logs and metrics link up', async () => {
    const services = { gateway: stack.gateway, ...stack.subgraphs };
    const before = Object.fromEntries(
      await Promise.all(Object.entries(services).map(async ([n, s]) => [n, await scrape(s.url)] as const)),
    );

    // A customer who wants new-product emails, and an admin who creates one.
    const email = uniqueEmail('traced');
    const { signUp } = await gql(SignUpDocument, {
      input: { email, password: 'a customer password 123', name: 'Traced Customer' },
    });
    // Notifications knows the user once user.registered went through (its welcome email is the sign).
    await testing.eventually(
      async () => ((await mailTo(email)).some((m) => m.Subject === 'Welcome to little-ecom') ? true : undefined),
      45_000,
    );
    await gql(UpdateNotificationPreferencesDocument, { input: { newProducts: true } }, signUp.accessToken);
    const { logIn } = await gql(LogInDocument, admin);

    // The client starts the trace: its traceparent must be the parent of everything that follows.
    const traceId = randomBytes(16).toString('hex');
    const name = `Traced Lamp ${randomUUID().slice(0, 6)}`;
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${logIn.accessToken}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        query: print(CreateProductDocument),
        operationName: 'CreateProduct',
        variables: { input: { name, price: { amount: 1999, currency: 'EUR' }, stock: 3, category: 'lamps' } },
      }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(response.headers.get('x-trace-id')).toBe(traceId);

    await testing.eventually(
      async () => ((await mailTo(email)).some((m) => m.Subject === `New: ${name}`) ? true : undefined),
      45_000,
    );

    // Every part of the path, found through Jaeger's query API by the returned trace id.
    const productsPort = String(stack.subgraphs['products']!.port);
    const productsDbName = stack.productsDb.db.databaseName;
    const expected: Record<string, (s: JaegerTrace['spans'][number]) => boolean> = {
      'gateway request': (s) => s.operationName === 'gateway.request',
      'gateway plan': (s) => s.operationName === 'gateway.plan',
      'gateway fetch to products': (s) => s.operationName === 'gateway.fetch' && tag(s, 'service') === 'products',
      'products HTTP server': (s) => tag(s, 'span.kind') === 'server' && String(tag(s, 'server.port')) === productsPort,
      'products createProduct resolver': (s) => s.operationName === 'resolve Mutation.createProduct',
      'products MongoDB insert': (s) =>
        tag(s, 'db.system.name') === 'mongodb' &&
        tag(s, 'db.namespace') === productsDbName &&
        tag(s, 'db.operation.name') === 'insert',
      'relay publish': (s) => s.operationName === 'publish product.created' && tag(s, 'span.kind') === 'producer',
      'notifications consume': (s) =>
        s.operationName === 'process product.created' &&
        String(tag(s, 'messaging.destination.name')).endsWith('notifications.events'),
      'SMTP send': (s) => s.operationName === 'smtp send' && tag(s, 'notification.kind') === 'NEW_PRODUCT',
    };
    const trace = await testing
      .eventually(
        async () => {
          await telemetry.flush();
          const found = await jaeger.trace(traceId);
          return found && Object.values(expected).every((match) => found.spans.some(match)) ? found : undefined;
        },
        45_000,
        500,
      )
      .catch(async (error: unknown) => {
        const found = await jaeger.trace(traceId);
        const missing = Object.entries(expected)
          .filter(([, match]) => !found?.spans.some(match))
          .map(([what]) => what);
        throw new Error(
          `trace ${traceId} lacks: ${missing.join(', ')} (spans: ${found?.spans.map((s) => s.operationName).join(', ')})`,
          {
            cause: error,
          },
        );
      });
    // One trace: every span of it carries the client's trace id, and the chain is parent to child.
    expect(trace.spans.every((s) => s.traceID === traceId)).toBe(true);
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    const parentOf = (s: JaegerTrace['spans'][number]) =>
      byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
    const smtp = trace.spans.find(expected['SMTP send']!)!;
    expect(parentOf(smtp)?.operationName).toBe('process product.created');
    expect(parentOf(parentOf(smtp)!)?.operationName).toBe('publish product.created');
    // The trace viewer Jaeger serves (infra/jaeger/ui) answers on the trace's own address.
    const viewer = await fetch(`${jaeger.queryUrl}/trace/${traceId}`);
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toContain('<title>little-ecom traces</title>');

    // A log line written inside products while serving the mutation carries the same trace id.
    expect(stack.logs['products']!.some((r) => r['trace.id'] === traceId && r['msg'] === 'product created')).toBe(true);
    expect(stack.logs['notifications']!.some((r) => r['trace.id'] === traceId && r['msg'] === 'notification sent')).toBe(true);

    // Metrics moved for the request, the publish, the consumption and the email.
    const after = Object.fromEntries(
      await Promise.all(Object.entries(services).map(async ([n, s]) => [n, await scrape(s.url)] as const)),
    );
    const moved = (service: string, metric: string, labels?: Record<string, string>) =>
      total(after[service]!, metric, labels) - total(before[service]!, metric, labels);
    expect(moved('gateway', 'graphql_requests_total', { operation: 'CreateProduct', outcome: 'ok' })).toBe(1);
    expect(moved('gateway', 'graphql_request_duration_seconds_count', { operation: 'CreateProduct' })).toBe(1);
    expect(moved('gateway', 'gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'products' })).toBeGreaterThanOrEqual(1);
    expect(moved('products', 'http_server_requests_total', { path: '/graphql', status: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(moved('products', 'mongodb_command_duration_seconds_count', { command: 'insert' })).toBeGreaterThanOrEqual(1);
    expect(moved('products', 'outbox_events_published_total', { type: 'product.created' })).toBe(1);
    expect(moved('notifications', 'consumer_deliveries_total', { type: 'product.created', outcome: 'ok' })).toBe(1);
    expect(moved('notifications', 'emails_sent_total', { kind: 'NEW_PRODUCT' })).toBeGreaterThanOrEqual(1);
    expect(total(after['products']!, 'outbox_pending_documents')).toBeGreaterThanOrEqual(0);
    expect(after['notifications']!.has('emails_oldest_pending_age_seconds')).toBe(true);
    expect(total(after['accounts']!, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  }, 150_000);
});
