import { EventEmitter } from 'node:events';

// In-process only: a repository that just wrote to an outbox wakes the relay of the same process at
// once and hands it the ids of the documents it wrote, which the relay reads by `_id` (the hot path).
// Other replicas' writes, and anything a crash left behind, are found by the relay's recovery sweep.
const writes = new EventEmitter();
writes.setMaxListeners(0);

/**
 * Tells relays in this process that `collection` has new outbox entries, in the documents `ids`
 * (without ids, the relay sweeps the collection).
 */
export function announceOutboxWrite(collection: string, ids?: readonly unknown[]): void {
  writes.emit('write', collection, ids);
}

/** Subscribes to outbox writes; returns the unsubscribe function. */
export function onOutboxWrite(listener: (collection: string, ids?: readonly unknown[]) => void): () => void {
  writes.on('write', listener);
  return () => writes.off('write', listener);
}
