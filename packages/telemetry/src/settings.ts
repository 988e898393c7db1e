// What startTelemetry decided, for code that adds optional spans (kept here so the SDK's own module,
// with its exporters and instrumentations, loads only where a service starts tracing).
let resolverSpans = false;

/** Whether GraphQL root-field resolver spans are on (`OTEL_GRAPHQL_RESOLVER_SPANS=true` with tracing on). */
export const resolverSpansEnabled = (): boolean => resolverSpans;

export function setResolverSpans(enabled: boolean): void {
  resolverSpans = enabled;
}
