import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { authenticate, type Auth, type TokenVerifier } from '@little-ecom/auth';
import { ErrorCode } from '@little-ecom/errors';
import { setLogContextSource, type LogFields, type Logger } from '@little-ecom/logger';

/**
 * Who and what a unit of work is for: one per GraphQL request, one per consumed event, one per
 * background job. Every service method takes it first, so rules (authz), logs and events all see the
 * same caller and the same correlation id.
 */
export interface Scope {
  /**
   * The request id for requests; for a consumed event, the request id of the producer's chain (its
   * correlation id), so the consumer's log lines sit under the request that caused them; for jobs, an id of their own.
   */
  readonly requestId: string;
  /** Travels into the events this work causes: the request id of the change that started the chain. */
  readonly correlationId: string;
  /** The verified caller; `{ viewer: null, authError: null }` for anonymous requests and background work. */
  readonly auth: Auth;
  /** The client's address as the trusted proxy chain reports it; null outside HTTP requests. */
  readonly clientIp: string | null;
  /** What every log line of this work carries, by any logger: request id, user, and the event handled. */
  readonly logFields: LogFields;
  /** Tagged with `logFields`, for code that holds the scope. */
  readonly logger: Logger;
}

export interface ScopeInit {
  requestId?: string;
  correlationId?: string;
  auth?: Auth;
  clientIp?: string | null;
  /** The service's root logger; the scope's logger is a child of it. */
  logger: Logger;
  /** More fields for this work's log lines (a consumed event's id and type). */
  logFields?: LogFields;
}

/**
 * What the work running now did so far, for its log line: the database commands it ran (counted by
 * `@little-ecom/mongo` from the driver's events) and their total time.
 */
export interface WorkStats {
  dbCommands: number;
  dbTimeMs: number;
  dbFailures: number;
}

const newStats = (): WorkStats => ({ dbCommands: 0, dbTimeMs: 0, dbFailures: 0 });

const ANONYMOUS: Auth = Object.freeze({ viewer: null, authError: null });
// The one store of the request scope: services get the scope as an argument, loggers read its log
// fields from here (setLogContextSource), spans come from OpenTelemetry's context. A mutable holder,
// so a request's scope can be set once its token is verified (inside the GraphQL context function)
// and still be seen by the resolvers that run after it.
const storage = new AsyncLocalStorage<{ scope?: Scope; logFields: LogFields; stats: WorkStats }>();
setLogContextSource(() => storage.getStore()?.logFields);

/** Builds a scope; ids default to fresh UUIDs, the correlation id to the request id. */
export function createScope(init: ScopeInit): Scope {
  const requestId = init.requestId ?? randomUUID();
  const correlationId = init.correlationId ?? requestId;
  const auth = init.auth ?? ANONYMOUS;
  const logFields = Object.freeze({ ...logFieldsOf(requestId, correlationId, auth), ...init.logFields });
  return Object.freeze({
    requestId,
    correlationId,
    auth,
    clientIp: init.clientIp ?? null,
    logFields,
    logger: init.logger.child(logFields),
  });
}

function logFieldsOf(requestId: string, correlationId: string, auth: Auth): LogFields {
  return {
    requestId,
    ...(correlationId !== requestId ? { correlationId } : {}),
    ...(auth.viewer ? { userId: auth.viewer.userId } : {}),
  };
}

/**
 * Runs `fn` inside `scope`: `currentScope()` returns it and every log line written meanwhile, by any
 * logger, carries its request id.
 */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run({ scope, logFields: scope.logFields, stats: newStats() }, fn);
}

/**
 * Runs an HTTP request whose scope is not known yet: log lines carry `requestId` at once, and
 * `enterScope` (called by the GraphQL context function) completes it for everything that follows.
 */
export function runInRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ logFields: { requestId }, stats: newStats() }, fn);
}

/** Makes `scope` the current one of the request running now (see `runInRequest`). */
export function enterScope(scope: Scope): void {
  const holder = storage.getStore();
  if (!holder) return;
  holder.scope = scope;
  holder.logFields = scope.logFields;
}

/** The counters of the work running now (a request, an event), if any. */
export function currentWorkStats(): WorkStats | undefined {
  return storage.getStore()?.stats;
}

/** The scope of the work running now, if any (for logs and spans; services get theirs as an argument). */
export function currentScope(): Scope | undefined {
  return storage.getStore()?.scope;
}

/** What a subgraph knows about an HTTP request before its caller is verified. */
export interface RequestInfo {
  requestId: string;
  clientIp: string;
  headers: { authorization?: string | undefined };
}

/**
 * The scope of a subgraph request: verifies the access token and makes the scope current. A token
 * that was sent but does not verify ends the request with UNAUTHENTICATED whatever the operation, so a
 * client can tell "refresh now" from "anonymous" (only a request without a token is anonymous). HTTP
 * 200, so the gateway passes the coded error through instead of turning a non-2xx subgraph answer
 * into its own generic error.
 */
export async function scopeForRequest(info: RequestInfo, verifier: TokenVerifier, logger: Logger): Promise<Scope> {
  const auth = await authenticate(info.headers.authorization, verifier);
  if (auth.authError) {
    logger.info('authentication failed', {
      requestId: info.requestId,
      security: 'token_rejected',
      reason: auth.authError,
      clientIp: info.clientIp,
    });
    throw new GraphQLError(`Invalid access token: ${auth.authError}`, {
      extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 200 } },
    });
  }
  const scope = createScope({ requestId: info.requestId, clientIp: info.clientIp, auth, logger });
  enterScope(scope);
  return scope;
}
