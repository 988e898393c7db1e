// The public surface of @little-ecom/http: one module per job.
export { apolloDefaults, type ApolloDefaultsOptions } from './apollo-defaults.js';
export { subgraphLimits, type QueryLimits } from './query-limits.js';
export { readTypeDefs, subgraphApollo, type SubgraphApolloOptions } from './subgraph-apollo.js';
export type { ReadinessCheck } from './readiness.js';
export { requestLoggingPlugin } from './request-logging.plugin.js';
export { clientIp } from './client-ip.js';
export { requestIdFrom } from './request.js';
export { startHttpServer } from './server.js';
export type {
  CallerRequest,
  HttpServerOptions,
  IncomingRequestInfo,
  RequestContext,
  RouteHandler,
  RunningHttpServer,
} from './types.js';
