import type { Handler } from './deps.js';

/** Keeps the projection current (address and name for later emails). */
export const userUpdated: Handler<'user.updated'> = async (event, deps) => {
  await deps.users.project(event.data, event.occurredAt);
};
