export * from './lease.js';
export * from './wakeup.js';
export * from './retention.js';
