import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import type { TelemetryConfig } from './config.js';
import { setResolverSpans, setTracing } from './settings.js';

export interface Telemetry {
  /** False when no endpoint is configured: no provider, no exporter, the OTel API stays a no-op. */
  readonly enabled: boolean;
  /** Sends what is buffered (tests, benches). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; the last step of a service's shutdown. */
  shutdown(): Promise<void>;
}

const disabled: Telemetry = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };

/**
 * Starts tracing for the process: a tracer provider with a parent-based ratio sampler and a batching
 * OTLP/HTTP exporter, the W3C trace-context propagator, and the MongoDB instrumentation. Must run
 * before the MongoDB driver loads: each service imports its `instrument.ts` first. HTTP is traced by
 * our own server (`traceRequest` in @little-ecom/http) and the gateway's data source injects
 * `traceparent` into subgraph fetches: `@opentelemetry/instrumentation-http` measured at about 30 %
 * more gateway CPU per request even for unsampled requests (npm run bench:tracing).
 *
 * Without an endpoint it does nothing at all: no exporter is created, nothing connects, and the
 * OTel API calls the code makes (spans, context) are the API's no-ops.
 */
export function startTelemetry(config: TelemetryConfig, options: { exporter?: SpanExporter } = {}): Telemetry {
  if (!config.endpoint && !options.exporter) return disabled;
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000, maxQueueSize: 8_192 })],
  });
  setResolverSpans(config.resolverSpans);
  setTracing(true);
  // Registers the AsyncLocalStorage context manager and the W3C traceparent/baggage propagators.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new MongoDBInstrumentation({ enhancedDatabaseReporting: false })],
  });
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      setResolverSpans(false);
      setTracing(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
