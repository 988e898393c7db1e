// `@little-ecom/telemetry/sdk`: what a service's instrument.ts imports to start tracing.
export { telemetryConfig, type TelemetryConfig } from './config.js';
export { startTelemetry, type Telemetry } from './sdk.js';
