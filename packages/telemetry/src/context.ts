import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, type Attributes, type Context, type Span };

const TRACER = '@little-ecom/telemetry';

/** W3C trace context as text (`traceparent`, `tracestate`): what travels in AMQP headers and is stored with work. */
export type TraceCarrier = Record<string, string>;

/** The trace context of the work running now, to store with what it causes (an outbox event, an email). Empty outside a trace. */
export function traceHeaders(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The context `headers` carry (AMQP headers, a stored carrier); the root context when they carry none. */
export function contextFromHeaders(headers: Record<string, unknown> | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  const carrier: TraceCarrier = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = headers[key];
    if (typeof value === 'string') carrier[key] = value;
    else if (Buffer.isBuffer(value)) carrier[key] = value.toString('utf8');
  }
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Ids of the span running now, for logs (`trace.id`, `span.id`) and the response header; undefined outside a sampled or propagated trace. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context by default (e.g. `contextFromHeaders(message.properties.headers)`). */
  parent?: Context;
}

/**
 * Runs `fn` in a new span that ends when it settles; a throw marks the span as an error (the
 * exception is recorded) and is rethrown. With tracing off this costs one no-op span.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const { span, context: spanContext } = startSpan(name, options);
  let result: T;
  try {
    result = await context.with(spanContext, () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  }
  span.end();
  return result;
}

/** A span the caller ends itself (e.g. one per message of a batch), with the context to inject or run in. */
export function startSpan(name: string, options: SpanOptions): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer(TRACER)
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
      parent,
    );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends `span` as failed by `error`. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

/** Runs `fn` as part of the trace `carrier` names (work resumed later from a stored document, e.g. a fan-out job). */
export function withTraceContext<T>(carrier: Record<string, unknown> | undefined, fn: () => T): T {
  return context.with(contextFromHeaders(carrier), fn);
}

/**
 * Runs an incoming request in a SERVER span that continues the caller's `traceparent` (the headers);
 * `finish` is given the status code once the response is done. Without tracing, `fn` just runs.
 */
export function traceServerRequest<T>(
  headers: Record<string, unknown>,
  name: string,
  attributes: Attributes,
  fn: (finish: (status: number) => void) => T,
): T {
  const { span, context: active } = startSpan(name, { kind: SpanKind.SERVER, parent: contextFromHeaders(headers), attributes });
  const finish = (status: number) => {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  return context.with(active, () => fn(finish));
}
