import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Logger } from '@little-ecom/logger';
import type { Metrics } from '@little-ecom/telemetry';
import type { Scope } from '@little-ecom/scope';
import type { ReadinessCheck } from './readiness.js';

/** What every service's per-request context starts from. */
export interface RequestContext extends BaseContext {
  /** The request's scope: id, verified caller, client address, tagged logger. */
  scope: Scope;
}

/** What a service learns about an HTTP request before building its GraphQL context. */
export interface IncomingRequestInfo {
  headers: IncomingHttpHeaders;
  requestId: string;
  /** The client's address: see `clientIp` (rightmost untrusted `X-Forwarded-For` entry), or the gateway's signed one. */
  clientIp: string;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions<TContext extends RequestContext> {
  apollo: ApolloServer<TContext>;
  context: (info: IncomingRequestInfo) => Promise<TContext>;
  logger: Logger;
  /** Where GraphQL is served; the gateway also serves it on `/` so Sandbox opens there. */
  graphqlPaths?: string[];
  /** Extra GET routes, e.g. `/.well-known/jwks.json`. */
  routes?: Record<string, RouteHandler>;
  readiness?: ReadinessCheck[];
  /** Browser origins allowed to call; `*` allows any (development only). Empty: no CORS headers. */
  corsOrigins?: readonly string[];
  bodyLimitBytes?: number;
  /** How many proxies of ours stand in front (each appends to `X-Forwarded-For`); 0 trusts none. */
  trustedProxyHops?: number;
  /**
   * Subgraphs: who may send GraphQL (health and `routes` stay open), given the whole request (its body
   * as read, '' without one). Returns the caller's client address, or null to refuse with 403
   * FORBIDDEN. See `gatewayCallers` in @little-ecom/auth.
   */
  authorizeCaller?: (request: CallerRequest) => { clientIp: string } | null;
  /**
   * The service's metrics: served on `GET /metrics` (Prometheus text; the chart keeps it off the
   * public ingress), with request counts and latencies per path added to them.
   */
  metrics?: Metrics;
}

/** What `authorizeCaller` is shown of a GraphQL request. */
export interface CallerRequest {
  headers: IncomingHttpHeaders;
  requestId: string;
  method: string;
  /** Path and query, as sent. */
  target: string;
  body: string;
}

export interface RunningHttpServer {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting work, waits for in-flight requests (up to `timeoutMs`), then stops Apollo. */
  drain(timeoutMs: number): Promise<void>;
}
