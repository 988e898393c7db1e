import type { Handler } from './deps.js';
import { releaseAwaitingEmails } from './order-email.js';

/** Keeps the projection current (address and name for later emails); an older update is ignored. */
export const userUpdated: Handler<'user.updated'> = async (event, deps) => {
  const applied = await deps.users.project(event.data, event.occurredAt, event.data.aggregateVersion);
  // An update can be the first event projected (its user.registered still on the way).
  if (applied) await releaseAwaitingEmails(event.data.userId, deps);
  else {
    deps.logger.info('stale event ignored', {
      eventId: event.id,
      eventType: event.type,
      aggregate: `user:${event.data.userId}`,
      aggregateVersion: event.data.aggregateVersion,
    });
  }
};
