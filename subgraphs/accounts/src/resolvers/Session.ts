import type { SessionResolvers } from '../__generated__/resolvers-types.js';

export const Session: SessionResolvers = {
  id: (session) => session._id,
  createdAt: (session) => session.createdAt.toISOString(),
  lastUsedAt: (session) => session.lastUsedAt.toISOString(),
  expiresAt: (session) => session.expiresAt.toISOString(),
  current: (session, _args, { scope }) => scope.auth.viewer?.sessionId === session._id,
};
