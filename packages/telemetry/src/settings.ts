// What startTelemetry decided, for code that adds optional spans (kept here so the SDK's own module,
// with its exporters and instrumentations, loads only where a service starts tracing).
let resolverSpans = false;
let tracing = false;

/** Whether this process traces at all (startTelemetry with an endpoint); off, servers skip span work entirely. */
export const tracingEnabled = (): boolean => tracing;

export function setTracing(enabled: boolean): void {
  tracing = enabled;
}

/** Whether GraphQL root-field resolver spans are on (`OTEL_GRAPHQL_RESOLVER_SPANS=true` with tracing on). */
export const resolverSpansEnabled = (): boolean => resolverSpans;

export function setResolverSpans(enabled: boolean): void {
  resolverSpans = enabled;
}
