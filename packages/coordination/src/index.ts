export * from './lease.js';
export * from './wakeup.js';
