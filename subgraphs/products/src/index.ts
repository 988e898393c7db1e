// The public surface of the products subgraph: its app factory and config reader (main, tests and benches use them).
export { createProductsApp, type ProductsApp, type ProductsAppDeps } from './app.js';
export { loadProductsConfig, type ProductsConfig } from './config.js';
