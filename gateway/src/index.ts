// The public surface of the gateway: its app factory and config reader (main, tests and benches use them).
export { createGatewayApp, type GatewayApp } from './app.js';
export { loadGatewayConfig, type GatewayConfig } from './config.js';
export { createMemoryStore, createRedisStore } from './response-store.js';
export type { ResponseStore } from './types.js';
export { readManifest, sha256 } from './persisted-query-manifest.js';
