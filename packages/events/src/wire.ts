import type { TraceCarrier } from '@little-ecom/telemetry';
import { ENVELOPE_VERSION, EVENT_TYPES, type EventEnvelope, type EventType } from './envelope.js';

/** Header that carries the correlation id besides the AMQP `correlationId` property. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** The message body: the envelope without its stored trace context (that travels as headers). */
export function messageBody(event: EventEnvelope): Buffer {
  const { trace: _trace, ...envelope } = event;
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * AMQP publish properties for an envelope: persistent JSON, id, type and correlation id, and the
 * W3C trace context (`traceparent`) of the publish span when there is one.
 */
export function publishOptions(event: EventEnvelope, trace: TraceCarrier = {}) {
  return {
    persistent: true,
    messageId: event.id,
    type: event.type,
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    correlationId: event.correlationId,
    appId: event.source,
    timestamp: Math.floor(Date.parse(event.occurredAt) / 1000) || Math.floor(Date.now() / 1000),
    headers: { ...trace, [CORRELATION_HEADER]: event.correlationId, 'x-envelope-version': event.version },
  };
}

/** A message no retry can fix: malformed JSON, missing fields, an unknown type or version. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a message body against the envelope contract; throws PoisonMessageError otherwise. */
export function parseEnvelope(body: Buffer): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PoisonMessageError('body is not JSON');
  }
  if (!isRecord(value)) throw new PoisonMessageError('envelope is not an object');
  const { id, type, version, occurredAt, source, correlationId, data } = value;
  if (version !== ENVELOPE_VERSION) throw new PoisonMessageError(`unsupported envelope version ${String(version)}`);
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new PoisonMessageError('id missing');
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type))
    throw new PoisonMessageError(`unknown event type ${String(type)}`);
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) throw new PoisonMessageError('occurredAt missing');
  if (typeof source !== 'string') throw new PoisonMessageError('source missing');
  if (typeof correlationId !== 'string') throw new PoisonMessageError('correlationId missing');
  if (!isRecord(data)) throw new PoisonMessageError('data missing');
  return { id, type: type as EventType, version, occurredAt, source, correlationId, data };
}
