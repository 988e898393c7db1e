import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { readManifest } from '../persisted-query-manifest.js';
import type { GatewayContext, ResponseStore } from '../types.js';

/**
 * How operations may reach the gateway:
 * - `apq`: any operation; clients may send a SHA-256 instead of the text once the gateway has seen it
 *   (automatic persisted queries), which also makes GET URLs short enough for CDNs.
 * - `trusted`: only operations listed in the manifest built from the clients' documents run; anything
 *   else is refused with PERSISTED_QUERY_NOT_IN_LIST and a 400. For production.
 * - `off`: the full text on every request.
 */
export type PersistedQueryMode = 'apq' | 'trusted' | 'off';

/** The shape of Apollo's `KeyValueCache`, which `persistedQueries.cache` takes. */
interface KeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** APQ registrations in the shared store, so every replica knows a hash any replica has seen. */
function storeAsApqCache(store: ResponseStore, defaultTtlSeconds: number): KeyValueCache {
  return {
    get: (key) => store.get(key),
    set: (key, value, options) => store.set(key, value, options?.ttl ?? defaultTtlSeconds),
    delete: async () => undefined,
  };
}

/** The manifest as a read-only APQ cache: hash-only requests find registered documents, nothing can register. */
function manifestCache(documents: Map<string, string>): KeyValueCache {
  return {
    get: async (key) => documents.get(key.replace(/^apq:/, '')),
    set: async () => undefined,
    delete: async () => undefined,
  };
}

/**
 * Refuses every operation whose text is not in the manifest. The check runs in `didResolveOperation`
 * because that is the earliest hook whose thrown GraphQLError Apollo answers as it is (code and 400);
 * earlier hooks' errors become INTERNAL_SERVER_ERROR. So an unregistered document that does not even
 * parse or validate is refused by those steps first (still a 400), and the parse is bounded by the
 * body and token limits.
 */
function trustedDocumentsPlugin(documents: Map<string, string>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (documents.has(ctx.queryHash)) return;
          throw new GraphQLError('This operation is not registered with the gateway', {
            extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } },
          });
        },
      };
    },
  };
}

export interface PersistedQuerySettings {
  mode: PersistedQueryMode;
  /** Path of the manifest, for `trusted`. */
  manifestPath: string;
  /** How long an APQ registration is kept in a shared store. */
  apqTtlSeconds: number;
}

/**
 * Apollo Server's `persistedQueries` option for the given mode, and the plugin that enforces it
 * (only `trusted` needs one).
 */
export function persistedQueriesPlugin(settings: PersistedQuerySettings, store: ResponseStore | undefined) {
  if (settings.mode === 'off') return { option: false as const, plugin: undefined };
  if (settings.mode === 'trusted') {
    const documents = readManifest(settings.manifestPath);
    return { option: { cache: manifestCache(documents), ttl: null }, plugin: trustedDocumentsPlugin(documents) };
  }
  // Without a shared store Apollo keeps registrations in its own in-memory cache.
  return { option: store ? { cache: storeAsApqCache(store, settings.apqTtlSeconds) } : {}, plugin: undefined };
}
