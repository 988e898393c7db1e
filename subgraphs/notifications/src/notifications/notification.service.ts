import { ObjectId, type Filter } from 'mongodb';
import { requireRole, requireViewer, type Auth } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@little-ecom/errors';
import type { Scope } from '@little-ecom/scope';
import { preferencesOf, type Preferences, type UserRepository } from '../users/user.repository.js';
import type { NotificationDocument, NotificationRepository } from './notification.repository.js';

export const PAGE_SIZE_MAX = 100;

export interface NotificationPage {
  edges: { cursor: string; node: NotificationDocument }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const encodeCursor = (id: ObjectId) => Buffer.from(id.toHexString(), 'utf8').toString('base64url');

function decodeCursor(cursor: string): ObjectId {
  const hex = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{24}$/.test(hex)) throw new BadUserInputError('after is not a valid cursor', 'after');
  return new ObjectId(hex);
}

/** Who may see what, preference updates, paging and admin retries. */
export function createNotificationService(deps: {
  users: UserRepository;
  notifications: NotificationRepository;
  /** Wakes the delivery worker after a retry was queued. */
  onRequeued?: () => void;
}) {
  const { users, notifications } = deps;

  /** The user themself or an admin; anyone else gets FORBIDDEN. */
  const requireSelfOrAdmin = (auth: Auth, userId: string) => {
    const viewer = requireViewer(auth);
    if (viewer.userId !== userId && viewer.role !== 'ADMIN') throw new ForbiddenError('Only the user or an admin may see this');
    return viewer;
  };

  async function page(
    filter: Filter<NotificationDocument>,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<NotificationPage> {
    const limit = first ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX)
      throw new BadUserInputError(`first must be between 1 and ${PAGE_SIZE_MAX}`, 'first');
    const before = after ? decodeCursor(after) : undefined;
    const [docs, totalCount] = await Promise.all([notifications.page(filter, before, limit + 1), notifications.count(filter)]);
    const edges = docs.slice(0, limit).map((node) => ({ cursor: encodeCursor(node._id), node }));
    return { edges, pageInfo: { hasNextPage: docs.length > limit, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
  }

  return {
    async preferences(scope: Scope, userId: string): Promise<Preferences> {
      requireSelfOrAdmin(scope.auth, userId);
      return preferencesOf(await users.findById(userId));
    },

    async updatePreferences(scope: Scope, input: Partial<Record<keyof Preferences, boolean | null>>): Promise<Preferences> {
      const viewer = requireViewer(scope.auth);
      const changes: Partial<Preferences> = {};
      for (const key of ['newProducts', 'priceDrops', 'backInStock'] as const) {
        const value = input[key];
        if (typeof value === 'boolean') changes[key] = value;
      }
      const updated = await users.updatePreferences(viewer.userId, changes);
      scope.logger.info('notification preferences updated', { userId: viewer.userId });
      return updated;
    },

    forUser(scope: Scope, userId: string, first?: number | null, after?: string | null) {
      requireSelfOrAdmin(scope.auth, userId);
      return page({ recipientId: userId }, first, after);
    },

    failed(scope: Scope, first?: number | null, after?: string | null) {
      requireRole(scope.auth, 'ADMIN');
      return page({ status: 'FAILED' }, first, after);
    },

    async retry(scope: Scope, id: string): Promise<NotificationDocument> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      if (!/^[0-9a-fA-F]{24}$/.test(id)) throw new BadUserInputError('id is not a valid notification id', 'id');
      const objectId = new ObjectId(id);
      const requeued = await notifications.requeueFailed(objectId);
      if (!requeued) {
        const existing = await notifications.findById(objectId);
        if (!existing) throw new NotFoundError('Notification not found');
        throw new ConflictError(`Only FAILED notifications can be retried; this one is ${existing.status}`);
      }
      scope.logger.info('notification retry requested', { notificationId: id, userId: viewer.userId, deliveryStatus: 'PENDING' });
      deps.onRequeued?.();
      return requeued;
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
