// The public surface of the gateway: its app factory and config reader (main, tests and benches use them).
export { createGatewayApp, type GatewayApp } from './app.js';
export { loadGatewayConfig, type GatewayConfig } from './config.js';
