// The public surface of @little-ecom/telemetry: trace context helpers and metrics. Starting the SDK is
// `@little-ecom/telemetry/sdk`, imported by each service's instrument.ts only.
export {
  SpanKind,
  activeTraceIds,
  contextFromHeaders,
  failSpan,
  inSpan,
  startSpan,
  traceHeaders,
  traceServerRequest,
  withTraceContext,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TraceCarrier,
} from './context.js';
export {
  LATENCY_BUCKETS,
  boundedLabel,
  counter,
  createMetrics,
  gauge,
  histogram,
  metricsHandler,
  type Metrics,
} from './metrics.js';
export { resolverSpansEnabled, tracingEnabled } from './settings.js';
