export * from './service.js';
export * from './subgraph-access.js';
