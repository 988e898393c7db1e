// Tracing must start before the modules it instruments load (node:http, the MongoDB driver), so
// main.ts imports this module first. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/observability.md).
import { startTelemetry, telemetryConfig } from '@little-ecom/telemetry/sdk';

export const telemetry = startTelemetry(telemetryConfig('gateway', process.env));
