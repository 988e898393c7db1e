export * from './envelope.js';
export * from './payloads.js';
export * from './relay.js';
export * from './signal.js';
export * from './wire.js';
export * from './lease.js';
export * from './wakeup.js';
export * from './outbox.js';
