import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { apolloDefaults, type IncomingRequestInfo, type QueryLimits, type ReadinessCheck } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { Metrics } from '@little-ecom/telemetry';
import { createScope, enterScope } from '@little-ecom/scope';
import { checkCredentials } from './credentials.js';
import { createInflightDedup } from './inflight-dedup.js';
import { metricsPlugin } from './plugins/metrics.js';
import { persistedQueriesPlugin, type PersistedQuerySettings } from './plugins/persisted-queries.js';
import { responseCachePlugin } from './plugins/response-cache.js';
import { browserSessionFrom, sessionCookiePlugin } from './plugins/session-cookie.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import {
  createSubgraphFetcher,
  retryStaleConnections,
  type SubgraphFetcherOptions,
  type SubgraphResponse,
} from './subgraph-fetcher.js';
import type { GatewayContext, ResponseStore } from './types.js';

export interface GatewayDeps {
  logger: Logger;
  production: boolean;
  supergraph: { path: string; pollIntervalMs: number };
  /** Overrides the URLs baked into the supergraph, per subgraph name. */
  subgraphUrls: Record<string, string>;
  limits: QueryLimits;
  /** How subgraphs are called; defaults suit a test stack. */
  subgraphFetch?: Partial<SubgraphFetchSettings>;
  /** Keeps whole public responses (Redis or in-memory); absent: only `Cache-Control` headers are computed. */
  responseStore?: ResponseStore | undefined;
  /** Automatic persisted queries (default), trusted documents only, or off. */
  persistedQueries?: PersistedQuerySettings;
  /** The private key every subgraph request is signed with (`loadGatewaySigningKey`); subgraphs refuse GraphQL without it. */
  subgraphKey: KeyObject;
  /** Where the GraphQL and subgraph fetch metrics go (the app's `/metrics`). */
  metrics?: Metrics;
  /** The CORS allow-list: pages listed there may also use the session cookie (session-cookie.ts). */
  corsOrigins?: readonly string[];
}

export interface SubgraphFetchSettings extends SubgraphFetcherOptions {
  /** Share identical in-flight subgraph queries; 0 turns it off, otherwise the table's size bound. */
  dedupMaxInFlight: number;
}

const defaultSubgraphFetch: SubgraphFetchSettings = {
  maxSocketsPerSubgraph: 64,
  timeoutMs: 10_000,
  keepAliveMs: 4_000,
  maxResponseBytes: 16 * 1024 * 1024,
  dedupMaxInFlight: 1_000,
};

/**
 * The Apollo side of the gateway (see app.ts for the whole service), from the supergraph file composed at build time (`npm run compose`); the file is
 * polled and a changed supergraph is swapped in without a restart (e.g. a ConfigMap update).
 */
export function createGateway(deps: GatewayDeps) {
  const { logger } = deps;
  let loaded = false;
  const fetchSettings = { ...defaultSubgraphFetch, ...deps.subgraphFetch };
  const keepAlive = createSubgraphFetcher(fetchSettings);
  // A query whose kept-alive connection a draining subgraph pod was closing goes out again (subgraph-fetcher.ts).
  const fetcher = { ...keepAlive, fetch: retryStaleConnections((url, init) => keepAlive.fetch(url, init)) };
  const observed = deps.metrics ? metricsPlugin(deps.metrics) : undefined;
  const dedup =
    fetchSettings.dedupMaxInFlight > 0 ? createInflightDedup<SubgraphResponse>(fetchSettings.dedupMaxInFlight) : undefined;
  const gateway = new ApolloGateway({
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.info(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
    // Lets the data source see each subgraph operation's type, so only queries are deduplicated.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    buildService: ({ name, url }) => {
      const target = deps.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`subgraph ${name} has no URL`);
      return new SubgraphDataSource({
        name,
        url: target,
        fetcher,
        dedup,
        subgraphKey: deps.subgraphKey,
        ...(observed ? { observeFetch: observed.observeFetch } : {}),
      });
    },
    supergraphSdl: async ({ update }) => {
      let current = await readFile(deps.supergraph.path, 'utf8');
      loaded = true;
      const onChange = () => {
        readFile(deps.supergraph.path, 'utf8')
          .then((next) => {
            if (next === current || next.trim() === '') return;
            update(next);
            current = next;
            logger.info('supergraph reloaded', { path: deps.supergraph.path });
          })
          .catch((error: unknown) => logger.error('supergraph reload failed; keeping the previous one', { err: error }));
      };
      watchFile(deps.supergraph.path, { interval: deps.supergraph.pollIntervalMs }, onChange);
      return {
        supergraphSdl: current,
        cleanup: async () => unwatchFile(deps.supergraph.path, onChange),
      };
    },
  });

  // Depth, alias, cost and token limits come with the defaults (the subgraphs enforce the same).
  const defaults = apolloDefaults<GatewayContext>({ production: deps.production, logger, limits: deps.limits });
  const responseCache = responseCachePlugin(deps.responseStore, logger);
  const pq = persistedQueriesPlugin(
    deps.persistedQueries ?? { mode: 'apq', manifestPath: '', apqTtlSeconds: 86_400 },
    deps.responseStore,
  );
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...defaults,
    allowBatchedHttpRequests: false,
    persistedQueries: pq.option,
    plugins: [
      ...defaults.plugins,
      // The policy still comes from the subgraphs' headers; the header itself is ours (plugins/response-cache.ts).
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      responseCache.plugin,
      ...(pq.plugin ? [pq.plugin] : []),
      ...(observed ? [observed.plugin] : []),
      sessionCookiePlugin<GatewayContext>({ production: deps.production, corsOrigins: deps.corsOrigins ?? [] }),
    ],
  });

  const context = async (info: IncomingRequestInfo): Promise<GatewayContext> => {
    const scope = createScope({ requestId: info.requestId, clientIp: info.clientIp, logger });
    enterScope(scope);
    checkCredentials(info.headers.authorization);
    return { scope, authorization: info.headers.authorization, browserSession: browserSessionFrom(info.headers) };
  };

  const readiness: ReadinessCheck[] = [
    {
      name: 'supergraph',
      check: async () => {
        if (!loaded) throw new Error('supergraph not loaded');
      },
    },
    {
      name: 'subgraphs',
      // Sends `{ __typename }` to every subgraph named in the current supergraph. Detail only: one
      // subgraph down must not take every gateway pod out of the load balancer (its fields fail with
      // a coded error; the rest of the graph keeps answering).
      informational: true,
      check: async () => {
        await gateway.serviceHealthCheck();
      },
    },
  ];

  const stats = {
    /** What in-flight deduplication of subgraph queries did since start (zeros when it is off). */
    subgraphDedup: () => dedup?.stats() ?? { leaders: 0, followers: 0, overflow: 0, inFlight: 0 },
    /** Hits, misses and writes of the response cache. */
    responseCache: responseCache.stats,
  };

  return { apollo, gateway, context, readiness, stats, close: () => fetcher.close() };
}
