// The public surface of the notifications subgraph: its app factory and config reader (main, tests and benches use them).
export { createNotificationsApp, type NotificationsApp, type NotificationsAppDeps } from './app.js';
export { loadNotificationsConfig, type NotificationsConfig } from './config.js';
