// First: starts tracing before anything it instruments is loaded.
import { telemetry } from './instrument.js';
import { loadGatewaySigningKey } from '@little-ecom/auth';
import { runService } from '@little-ecom/service';
import { createGatewayApp } from './app.js';
import { loadGatewayConfig } from './config.js';
import { createMemoryStore, createRedisStore } from './response-store.js';

const config = loadGatewayConfig(process.env);

await runService(config, async (logger) => {
  const cache = config.responseCache;
  // Redis when REDIS_URL is set (shared by the replicas), otherwise an in-process LRU.
  const responseStore = cache?.redis
    ? createRedisStore({ ...cache.redis, logger })
    : cache
      ? createMemoryStore(cache.maxEntries)
      : undefined;
  const app = createGatewayApp(config, { logger, responseStore, subgraphKey: loadGatewaySigningKey(config.gatewayKey) });
  return {
    app,
    resources: [
      { name: 'subgraph connections', close: async () => app.close() },
      { name: 'response cache', close: async () => responseStore?.close() },
      // Last, so spans of the shutdown itself are flushed too.
      { name: 'telemetry', close: () => telemetry.shutdown() },
    ],
    readyFields: { sandbox: !config.production },
  };
});
