// The public surface of the accounts subgraph: its app factory and config reader (main, tests and benches use them).
export { createAccountsApp, type AccountsApp, type AccountsAppDeps } from './app.js';
export { loadAccountsConfig, type AccountsConfig } from './config.js';
