import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export { MinorUnits } from './scalars.js';

/** Public error codes: every error a client sees carries one in `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes produced by graphql-js / Apollo Server for malformed requests; safe to show as they are. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // The gateway's trusted-documents mode: the operation is not in the registered list.
  'PERSISTED_QUERY_NOT_IN_LIST',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

// INTERNAL_SERVER_ERROR is deliberately absent: Apollo tags every unexpected error with it, and
// those are the ones whose messages must not reach clients.
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  ...REQUEST_ERROR_CODES,
]);

export class BadUserInputError extends GraphQLError {
  constructor(message: string, field?: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(message = 'Not found') {
    super(message, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class ConflictError extends GraphQLError {
  constructor(message: string, field?: string) {
    super(message, { extensions: { code: ErrorCode.CONFLICT, ...(field ? { field } : {}) } });
  }
}

export class RateLimitedError extends GraphQLError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, {
      extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) },
    });
  }
}

// C0 and C1 controls (CR, LF, TAB, NUL, ...), DEL and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Single-line fields (names, address lines, ...) end up in mail headers and text bodies, logs and CSV
 * exports: none of them may carry a line break or another control character.
 */
export const isSingleLine = (value: string) => !LINE_BREAKING.test(value);

/** The message for a field that is not `isSingleLine`. */
export const SINGLE_LINE_MESSAGE = 'must be a single line without control characters';

/** Collects every validation problem of an input before answering, so clients can fix them all at once. */
export class InputProblems {
  private readonly problems: { field: string; message: string }[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const message = this.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new GraphQLError(message, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, fields: this.problems },
    });
  }
}

export interface ErrorReporter {
  error(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What @apollo/gateway adds to a subgraph's error: which subgraph (`serviceName`) and, when it answered
 * with an HTTP error such as 401/403, the request it was sent (`response.url` is the internal address).
 */
const UPSTREAM_DETAIL = ['serviceName', 'response'] as const;

/**
 * Apollo `formatError`: errors with a public code pass through (without stack traces); anything else,
 * e.g. a driver or programming error, is logged and replaced by a generic INTERNAL_SERVER_ERROR so no
 * internals reach clients. In production a public error also loses the subgraph's name and the request
 * sent to it (`UPSTREAM_DETAIL`), which go to the log instead.
 */
export function createErrorFormatter(reporter: ErrorReporter, options: { production?: boolean } = {}) {
  const hideUpstream = (extensions: Record<string, unknown>, path: GraphQLFormattedError['path']) => {
    if (!options.production || !UPSTREAM_DETAIL.some((key) => key in extensions)) return extensions;
    const { serviceName, response, ...rest } = extensions;
    reporter.warn?.('a subgraph error reached a client; its subgraph and URL are kept out of the response', {
      errorCode: rest['code'],
      serviceName,
      response,
      path,
    });
    return rest;
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: hideUpstream(extensions, formatted.path) };
    }
    // Apollo's own request errors without a code (persisted-query version or hash mismatch, ...) carry a
    // 4xx status: they describe the client's mistake, so they keep their message under BAD_REQUEST.
    // Duck-typed: under a bundler Apollo and this module can hold different copies of graphql.
    const own =
      typeof error === 'object' && error !== null && 'extensions' in error
        ? (error.extensions as Record<string, unknown> | undefined)
        : undefined;
    const status = (own?.['http'] as { status?: unknown } | undefined)?.status;
    if (own && own['code'] === undefined && typeof status === 'number' && status >= 400 && status < 500) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...hideUpstream(extensions, formatted.path), code: 'BAD_REQUEST' } };
    }
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    reporter.error('unexpected error while executing a request', {
      errorCode: ErrorCode.INTERNAL_SERVER_ERROR,
      // At the gateway the original is a subgraph's error as JSON (a plain object): logged whole, it
      // keeps the subgraph's message and code that the client no longer sees.
      err:
        original instanceof Error
          ? { name: original.name, message: original.message, stack: original.stack }
          : typeof original === 'object' && original !== null
            ? original
            : String(original),
      path: formatted.path,
    });
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
