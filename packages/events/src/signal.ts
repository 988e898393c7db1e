import { EventEmitter } from 'node:events';

// In-process only: a repository that just wrote to an outbox wakes the relay of the same process at
// once instead of leaving the event to the next poll. Other replicas still find it by polling.
const writes = new EventEmitter();
writes.setMaxListeners(0);

/** Tells relays in this process that `collection` has new outbox entries. */
export function announceOutboxWrite(collection: string): void {
  writes.emit('write', collection);
}

/** Subscribes to outbox writes; returns the unsubscribe function. */
export function onOutboxWrite(listener: (collection: string) => void): () => void {
  writes.on('write', listener);
  return () => writes.off('write', listener);
}
