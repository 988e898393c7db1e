import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GATEWAY_SIGNATURE_HEADER, signGatewayRequest } from '@little-ecom/auth';
import { apolloDefaults, type IncomingRequestInfo, type ReadinessCheck, type RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import { createScope, enterScope } from '@little-ecom/scope';
import { retryStaleConnections } from './subgraph-fetch.js';

export interface GatewayContext extends RequestContext {
  /** Passed on as it came: the gateway does not verify tokens, every subgraph does. */
  authorization: string | undefined;
}

export interface GatewayDeps {
  logger: Logger;
  production: boolean;
  supergraph: { path: string; pollIntervalMs: number };
  /** Overrides the URLs baked into the supergraph, per subgraph name. */
  subgraphUrls: Record<string, string>;
  limits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number };
  /** Signs every subgraph request (`loadGatewayKey`); subgraphs refuse GraphQL without it. */
  subgraphKey: Buffer;
}

/**
 * Passes the caller's token and the request id on to every subgraph, and signs each request (with the
 * client address) so subgraphs know it comes from the gateway; nothing else is trusted downstream.
 */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    options: { url?: string | undefined },
    private readonly key: Buffer,
  ) {
    super(options);
    this.fetcher = retryStaleConnections(this.fetcher);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    const ctx: Partial<GatewayContext> = context;
    // Health checks and schema loading run without a scope: they are signed as the gateway's own.
    if (!headers) return;
    const requestId = ctx.scope?.requestId ?? randomUUID();
    if (ctx.authorization) headers.set('authorization', ctx.authorization);
    headers.set('x-request-id', requestId);
    // The client address reaches subgraphs only inside the signature, never as X-Forwarded-For.
    headers.set(
      GATEWAY_SIGNATURE_HEADER,
      signGatewayRequest(this.key, {
        requestId,
        clientIp: ctx.scope?.clientIp ?? '127.0.0.1',
        authorization: ctx.authorization,
      }),
    );
  }
}

/**
 * The Apollo side of the gateway (see app.ts for the whole service), from the supergraph file composed at build time (`npm run compose`); the file is
 * polled and a changed supergraph is swapped in without a restart (e.g. a ConfigMap update).
 */
export function createGateway(deps: GatewayDeps) {
  const { logger } = deps;
  let loaded = false;
  const gateway = new ApolloGateway({
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.info(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
    buildService: ({ name, url }) => new ForwardingDataSource({ url: deps.subgraphUrls[name] ?? url }, deps.subgraphKey),
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

  const armor = new ApolloArmor({
    maxDepth: { n: deps.limits.maxDepth, ignoreIntrospection: !deps.production, flattenFragments: true },
    maxAliases: { n: deps.limits.maxAliases },
    costLimit: { maxCost: deps.limits.maxCost, ignoreIntrospection: !deps.production },
    // Token limits are enforced by Apollo's own parser (parseOptions) so over-long documents get a 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: deps.production },
  }).protect();

  const defaults = apolloDefaults<GatewayContext>({ production: deps.production, logger });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...defaults,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: deps.limits.maxTokens },
    validationRules: armor.validationRules,
    plugins: [...defaults.plugins, ...(armor.plugins as typeof defaults.plugins)],
  });

  const context = async (info: IncomingRequestInfo): Promise<GatewayContext> => {
    const scope = createScope({ requestId: info.requestId, clientIp: info.clientIp, logger });
    enterScope(scope);
    return { scope, authorization: info.headers.authorization };
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

  return { apollo, gateway, context, readiness };
}
