import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
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
import { setResolverSpans } from './settings.js';

/** Paths that are polled, not used: no spans (they would drown the real traffic). */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

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
 * OTLP/HTTP exporter, the W3C trace-context propagator, and the HTTP (server and client, so
 * `traceparent` reaches every subgraph fetch) and MongoDB instrumentations. Must run before
 * `node:http` users and the MongoDB driver load: each service imports its `instrument.ts` first.
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
  // Registers the AsyncLocalStorage context manager and the W3C traceparent/baggage propagators.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '/').split('?')[0]!),
        // Outgoing calls outside any trace (health probes, JWKS polls) are not worth a trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  // The HTTP instrumentation patches `node:http` when it is next required; ESM `import`s of a builtin
  // are not seen, so require both once here, before any server or client is created.
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      setResolverSpans(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
