import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { Logger } from '@little-ecom/logger';
import { isQuery } from '../operation.js';
import type { GatewayContext, ResponseStore } from '../types.js';

interface StoredResponse {
  /** The `data` of a response without errors. */
  data: Record<string, unknown>;
  maxAge: number;
  storedAt: number;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
}

/** Only anonymous queries are shared: whoever sends a token gets an answer computed for them alone. */
function sharable(ctx: GraphQLRequestContext<GatewayContext>): boolean {
  return isQuery(ctx.document, ctx.operationName) && !ctx.contextValue.authorization;
}

function cacheKey(ctx: GraphQLRequestContext<GatewayContext>): string {
  const { operationName, variables } = ctx.request;
  const identity = JSON.stringify([operationName ?? null, ctx.source ?? '', variables ?? null]);
  return `response:${createHash('sha256').update(identity).digest('base64url')}`;
}

/**
 * Computes each response's `Cache-Control` from the policy the subgraphs reported (see
 * SubgraphDataSource) and, when a store is given, keeps whole public responses in it.
 *
 * - `public, max-age=N` only when every subgraph said the data is public and no Authorization header
 *   was sent; with a token the same data goes out as `private`, so no shared cache keeps it.
 * - Responses with errors, mutations and anything a subgraph did not mark cacheable: `no-store`.
 * - The store is read and written only for anonymous queries whose whole policy is PUBLIC, under a
 *   key made of the operation text, name and variables; an entry lives `max-age` seconds, and a hit
 *   is served with the remaining lifetime and an `age` header, as an HTTP cache would.
 */
export function responseCachePlugin(
  store: ResponseStore | undefined,
  logger: Logger,
): { plugin: ApolloServerPlugin<GatewayContext>; stats: () => ResponseCacheStats } {
  const counts: ResponseCacheStats = { hits: 0, misses: 0, stores: 0 };
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let hit: { maxAge: number; age: number } | undefined;
      return {
        async responseForOperation(ctx) {
          if (!store || !sharable(ctx)) return null;
          const raw = await store.get(cacheKey(ctx));
          const stored = raw ? (JSON.parse(raw) as StoredResponse) : undefined;
          const age = stored ? Math.floor((Date.now() - stored.storedAt) / 1000) : 0;
          if (!stored || age >= stored.maxAge) {
            counts.misses++;
            return null;
          }
          counts.hits++;
          hit = { maxAge: stored.maxAge - age, age };
          return { http: ctx.response.http, body: { kind: 'single', singleResult: { data: stored.data } } };
        },
        async willSendResponse(ctx) {
          const { response } = ctx;
          const headers = response.http.headers;
          if (hit) {
            headers.set('cache-control', `max-age=${hit.maxAge}, public`);
            headers.set('age', String(hit.age));
            headers.set('x-cache', 'hit');
            return;
          }
          const policy = ctx.overallCachePolicy.policyIfCacheable();
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const clean = single !== undefined && !single.errors && (ctx.errors ?? []).length === 0 && single.data != null;
          if (!policy || !clean || !isQuery(ctx.document, ctx.operationName)) {
            headers.set('cache-control', 'no-store');
            return;
          }
          const isPublic = policy.scope === 'PUBLIC' && !ctx.contextValue.authorization;
          headers.set('cache-control', `max-age=${policy.maxAge}, ${isPublic ? 'public' : 'private'}`);
          if (!store || !isPublic || !sharable(ctx)) return;
          headers.set('x-cache', 'miss');
          const entry: StoredResponse = { data: single.data!, maxAge: policy.maxAge, storedAt: Date.now() };
          counts.stores++;
          await store.set(cacheKey(ctx), JSON.stringify(entry), policy.maxAge).catch((error: unknown) => {
            logger.warn('response cache write failed', { err: error });
          });
        },
      };
    },
  };
  return { plugin, stats: () => ({ ...counts }) };
}
