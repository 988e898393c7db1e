import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One service's metrics: what its `/metrics` serves. One per app, so services sharing a process (tests) keep theirs apart. */
export type Metrics = Registry;

/** Seconds; from a fast MongoDB command to a slow subgraph fetch. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A registry with the process metrics (CPU, memory, event loop lag, GC) of `prom-client`. */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

type Labels<L extends string> = readonly L[];

/** The counter `name` of `registry`, created on first use (several components may share one). */
export function counter<L extends string>(registry: Metrics, name: string, help: string, labelNames: Labels<L> = []): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

export function histogram<L extends string>(
  registry: Metrics,
  name: string,
  help: string,
  labelNames: Labels<L> = [],
  buckets = LATENCY_BUCKETS,
): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames: [...labelNames], buckets, registers: [registry] });
}

/** A gauge whose value is read when scraped (e.g. a count query), never more often than Prometheus asks. */
export function gauge<L extends string>(
  registry: Metrics,
  name: string,
  help: string,
  labelNames: Labels<L> = [],
  collect?: (gauge: Gauge<L>) => Promise<void> | void,
): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<L>;
  return new Gauge<L>({
    name,
    help,
    labelNames: [...labelNames],
    registers: [registry],
    ...(collect
      ? {
          async collect(this: Gauge<L>) {
            // A source that does not answer (the database is down) must not fail the whole scrape:
            // the gauge keeps its last value and the outage shows in the other metrics.
            await Promise.resolve(collect(this)).catch(() => undefined);
          },
        }
      : {}),
  });
}

/**
 * Keeps a label low-cardinality when its values come from clients (operation names): the first
 * `max` distinct values are kept, every later one is reported as `other`.
 */
export function boundedLabel(max: number): (value: string | undefined | null) => string {
  const seen = new Set<string>();
  return (value) => {
    const v = value || 'anonymous';
    if (seen.has(v)) return v;
    if (seen.size >= max) return 'other';
    seen.add(v);
    return v;
  };
}

/** Serves `registry` in the Prometheus text format (`GET /metrics`). */
export function metricsHandler(registry: Metrics) {
  return async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
