import type { EventEmitter } from 'node:events';
import fluentLogger from 'fluent-logger';
import { activeTraceIds } from '@little-ecom/telemetry';
import { prettyLine } from './pretty.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/**
 * The fields services write, and the only ones dashboards may rely on. Keep in sync with
 * infra/kibana (a test checks the saved objects against this list).
 */
export const LOG_FIELDS = [
  'time',
  'level',
  'service',
  'msg',
  'requestId',
  'trace.id',
  'span.id',
  'operation',
  'operationType',
  'latencyMs',
  'errorCode',
  'errorCodes',
  'subgraph',
  'status',
  'method',
  'path',
  'eventType',
  'eventId',
  'notificationId',
  'notificationKind',
  'deliveryStatus',
  'attempts',
  'count',
  'lagMs',
  // The MongoDB commands a request ran in the service that logs it, and their total time.
  'dbCommands',
  'dbTimeMs',
  'dbFailures',
  'err',
  // Security events (accounts, docs/auth.md "Security events"): the event, who and from where.
  'security',
  'clientIp',
  'accountKey',
  'userId',
  'reason',
] as const;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record, e.g. a request id. */
  child(fields: LogFields): Logger;
  /** Flushes and closes the Fluentd connection, if any. */
  close(): Promise<void>;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** `json` (default): one JSON object per line; `pretty`: one coloured line per entry, for people. */
  format?: 'json' | 'pretty';
  /** Ships every record to Fluentd's forward input as well as stdout. */
  fluentd?: { host: string; port: number; tagPrefix: string } | undefined;
  /** Where JSON lines go; stdout by default. */
  write?: (line: string) => void;
}

// Fields of the request or event being handled (request id, user, ...), added to every record written
// while handling it by any logger, so nobody has to thread a request id through calls by hand. They
// come from the request scope (@little-ecom/scope, whose AsyncLocalStorage is the one store of it),
// which registers itself here: the logger cannot depend on it, since a scope carries a logger.
let contextFields: () => LogFields | undefined = () => undefined;

/** Where every logger reads the fields of the work running now; set once by @little-ecom/scope. */
export function setLogContextSource(source: () => LogFields | undefined): void {
  contextFields = source;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Values under these keys never reach a log, whatever a caller passes in.
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

interface FluentSink {
  emit(record: Record<string, unknown>): void;
  close(): Promise<void>;
}

function createFluentSink(options: NonNullable<LoggerOptions['fluentd']>, service: string): FluentSink {
  const sender = fluentLogger.createFluentSender<Record<string, unknown>>(options.tagPrefix, {
    host: options.host,
    port: options.port,
    timeout: 3,
    reconnectInterval: 5_000,
    // Records wait in memory while Fluentd is unreachable; past this size the oldest are dropped
    // rather than ever blocking a request or growing without bound.
    sendQueueSizeLimit: 8 * 1024 * 1024,
    internalLogger: { info: () => undefined, error: () => undefined },
  });
  // The sender is an EventEmitter: without a listener a connection error would crash the process.
  (sender as unknown as EventEmitter).on('error', () => undefined);
  return {
    emit(record) {
      sender.emit(service, record, (err) => {
        void err; // delivery failures are retried by the sender; nothing to do per record
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        sender.end(service, { level: 'info', service, msg: 'logger closing' }, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const pretty = options.format === 'pretty';
  const fluent = options.fluentd?.host ? createFluentSink(options.fluentd, options.service) : undefined;

  const make = (bound: LogFields): Logger => {
    const log = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (LEVELS[level] < threshold) return;
      // ECS names, so Kibana and Elastic APM link a log line to its trace.
      const ids = activeTraceIds();
      const record = redact({
        time: new Date().toISOString(),
        level,
        service: options.service,
        ...contextFields(),
        ...(ids ? { 'trace.id': ids.traceId, 'span.id': ids.spanId } : {}),
        ...bound,
        ...fields,
        msg,
      }) as Record<string, unknown>;
      let line: string;
      try {
        line = pretty ? prettyLine(record) : JSON.stringify(record);
      } catch {
        line = JSON.stringify({ time: record['time'], level, service: options.service, msg, err: 'unserializable log fields' });
      }
      write(line);
      fluent?.emit(record);
    };
    return {
      debug: (msg, fields) => log('debug', msg, fields),
      info: (msg, fields) => log('info', msg, fields),
      warn: (msg, fields) => log('warn', msg, fields),
      error: (msg, fields) => log('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
      close: async () => {
        await fluent?.close();
      },
    };
  };
  return make({});
}

/** A logger that drops everything; for unit tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ service: 'silent', level: 'error', write: () => undefined });
