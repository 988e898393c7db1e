/** How a service traces: read once from the environment, before anything else starts. */
export interface TelemetryConfig {
  service: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); unset: tracing is off, nothing is exported. */
  endpoint: string | undefined;
  /** Share of new traces sampled (`OTEL_TRACES_SAMPLER_ARG`, 0..1); a sampled parent always wins. */
  sampleRatio: number;
  /** Extra resource attributes, e.g. `deployment.environment.name` (`OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes: Record<string, string>;
  /**
   * A span per GraphQL root field resolver (`OTEL_GRAPHQL_RESOLVER_SPANS=true`); off by default: the
   * gateway's fetch spans and the MongoDB spans already say where the time goes.
   */
  resolverSpans: boolean;
}

/**
 * The standard OpenTelemetry variables, so operators configure tracing as they would any OTel SDK.
 * Tracing must start before the modules it instruments load, so this is read in each service's
 * `instrument.ts` and not in its config reader (the one other place that reads `process.env`).
 * Throws on a value that cannot be right, listing every such value.
 */
export function telemetryConfig(service: string, env: Record<string, string | undefined>): TelemetryConfig {
  const errors: string[] = [];
  const disabled = env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true';
  let endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || undefined;
  if (endpoint) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        errors.push('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL');
      endpoint = endpoint.replace(/\/+$/, '');
    } catch {
      errors.push('OTEL_EXPORTER_OTLP_ENDPOINT is not a URL');
    }
  }
  const rawRatio = env['OTEL_TRACES_SAMPLER_ARG']?.trim();
  const sampleRatio = rawRatio ? Number(rawRatio) : 1;
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1)
    errors.push('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  const resourceAttributes: Record<string, string> = {};
  for (const pair of (env['OTEL_RESOURCE_ATTRIBUTES'] ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) resourceAttributes[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  const resolverSpans = env['OTEL_GRAPHQL_RESOLVER_SPANS']?.trim().toLowerCase() === 'true';
  if (errors.length > 0) throw new Error(`invalid tracing configuration:\n  ${errors.join('\n  ')}`);
  return Object.freeze({ service, endpoint: disabled ? undefined : endpoint, sampleRatio, resourceAttributes, resolverSpans });
}
