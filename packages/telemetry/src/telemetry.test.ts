import net, { type AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { activeTraceIds, contextFromHeaders, inSpan, traceHeaders } from './index.js';
import { telemetryConfig } from './config.js';
import { startTelemetry, type Telemetry } from './sdk.js';

/** A TCP listener that counts the connections made to it: what an OTLP collector would see. */
async function countingListener() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let running: Telemetry | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe('telemetryConfig', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT, or with OTEL_SDK_DISABLED', () => {
    expect(telemetryConfig('products', {}).endpoint).toBeUndefined();
    expect(
      telemetryConfig('products', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).endpoint,
    ).toBeUndefined();
    expect(
      telemetryConfig('products', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
    ).toMatchObject({
      endpoint: 'http://c:4318',
      sampleRatio: 0.1,
    });
  });

  it('reports every bad value at once', () => {
    expect(() => telemetryConfig('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'nope', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT is not a URL[\s\S]*OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});

describe('startTelemetry', () => {
  it('with tracing off, creates no exporter and never connects (even with a per-signal endpoint in the environment)', async () => {
    const collector = await countingListener();
    // What an SDK reading the environment by itself would export to: ours must not.
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = `${collector.url}/v1/traces`;
    try {
      running = startTelemetry(telemetryConfig('products', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces` }));
      expect(running.enabled).toBe(false);
      await inSpan('work', {}, async (span) => {
        expect(span.isRecording()).toBe(false);
        expect(activeTraceIds()).toBeUndefined();
        expect(traceHeaders()).toEqual({});
      });
      await running.flush();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(collector.connections()).toBe(0);
    } finally {
      delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
      await collector.close();
    }
  });

  it('with an endpoint, exports there and propagates W3C trace context', async () => {
    const collector = await countingListener();
    try {
      running = startTelemetry(telemetryConfig('products', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }));
      expect(running.enabled).toBe(true);
      const carried = await inSpan('outer', {}, async () => {
        expect(activeTraceIds()?.traceId).toMatch(/^[0-9a-f]{32}$/);
        return { headers: traceHeaders(), ids: activeTraceIds()! };
      });
      expect(carried.headers['traceparent']).toBe(`00-${carried.ids.traceId}-${carried.ids.spanId}-01`);
      // A consumer continues the trace from the headers.
      const child = trace.getSpanContext(contextFromHeaders(carried.headers));
      expect(child?.traceId).toBe(carried.ids.traceId);
      await running.flush().catch(() => undefined);
      expect(collector.connections()).toBeGreaterThan(0);
    } finally {
      await collector.close();
    }
  });
});
