// The public surface of the orders subgraph: its app factory and config reader (main, tests and benches use them).
export { createOrdersApp, type OrdersApp, type OrdersAppDeps } from './app.js';
export { loadOrdersConfig, type OrdersConfig } from './config.js';
