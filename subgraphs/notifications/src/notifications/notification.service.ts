import { ObjectId, type Filter } from 'mongodb';
import { requireRole, requireViewer, type Auth } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@little-ecom/errors';
import type { Logger } from '@little-ecom/logger';
import { preferencesOf, type Preferences, type UserRepository } from '../users/user.repository.js';
import type { Circuit } from '../delivery/circuit.js';
import { DELIVERY_ERROR_KINDS, type DeliveryErrorKind } from '../delivery/errors.js';
import {
  NOTIFICATION_KINDS,
  type NotificationDocument,
  type NotificationKind,
  type NotificationRepository,
  type RetryFilter,
} from './notification.repository.js';

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

const parseDate = (value: string | null | undefined, field: string): Date | undefined => {
  if (value === null || value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new BadUserInputError(`${field} must be an ISO 8601 date`, field);
  return date;
};

/** Checks an admin's retry filter (also used by the CLI); every field is optional. */
export function parseRetryFilter(input: {
  kind?: string | null;
  errorKind?: string | null;
  createdAfter?: string | null;
  createdBefore?: string | null;
}): RetryFilter {
  const filter: RetryFilter = {};
  if (input.kind) {
    if (!(NOTIFICATION_KINDS as readonly string[]).includes(input.kind)) throw new BadUserInputError('kind is unknown', 'kind');
    filter.kind = input.kind as NotificationKind;
  }
  if (input.errorKind) {
    if (!(DELIVERY_ERROR_KINDS as readonly string[]).includes(input.errorKind))
      throw new BadUserInputError('errorKind is unknown', 'errorKind');
    filter.errorKind = input.errorKind as DeliveryErrorKind;
  }
  const after = parseDate(input.createdAfter, 'createdAfter');
  const before = parseDate(input.createdBefore, 'createdBefore');
  if (after) filter.createdAfter = after;
  if (before) filter.createdBefore = before;
  return filter;
}

/** Who may see what, preference updates, paging and admin retries. */
export function createNotificationService(deps: {
  users: UserRepository;
  notifications: NotificationRepository;
  logger: Logger;
  circuit: Circuit;
  /** Wakes the delivery worker after a retry was queued. */
  onRequeued?: () => void;
}) {
  const { users, notifications, logger } = deps;

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
    async preferences(auth: Auth, userId: string): Promise<Preferences> {
      requireSelfOrAdmin(auth, userId);
      return preferencesOf(await users.findById(userId));
    },

    async updatePreferences(auth: Auth, input: Partial<Record<keyof Preferences, boolean | null>>): Promise<Preferences> {
      const viewer = requireViewer(auth);
      const changes: Partial<Preferences> = {};
      for (const key of ['newProducts', 'priceDrops', 'backInStock'] as const) {
        const value = input[key];
        if (typeof value === 'boolean') changes[key] = value;
      }
      const updated = await users.updatePreferences(viewer.userId, changes);
      logger.info('notification preferences updated', { userId: viewer.userId });
      return updated;
    },

    forUser(auth: Auth, userId: string, first?: number | null, after?: string | null) {
      requireSelfOrAdmin(auth, userId);
      return page({ recipientId: userId }, first, after);
    },

    failed(auth: Auth, first?: number | null, after?: string | null) {
      requireRole(auth, 'ADMIN');
      return page({ status: 'FAILED' }, first, after);
    },

    /** The server's raw answer is for admins; users get the kind in words (`lastError`). */
    errorDetail(auth: Auth, n: NotificationDocument): string | null {
      return auth.viewer?.role === 'ADMIN' ? (n.lastErrorDetail ?? null) : null;
    },

    async deliveryState(auth: Auth) {
      requireRole(auth, 'ADMIN');
      const [state, pending, failed] = await Promise.all([
        deps.circuit.state(),
        notifications.count({ status: 'PENDING' }),
        notifications.count({ status: 'FAILED' }),
      ]);
      return {
        paused: state !== null,
        reason: state?.reason ?? null,
        detail: state?.detail ?? null,
        pausedSince: state?.openedAt.toISOString() ?? null,
        nextProbeAt: state?.probeAt.toISOString() ?? null,
        pending,
        failed,
      };
    },

    /** Bulk retry of FAILED notifications by kind, error kind and creation time. */
    async retryMatching(
      auth: Auth,
      input: { kind?: string | null; errorKind?: string | null; createdAfter?: string | null; createdBefore?: string | null },
    ): Promise<number> {
      const viewer = requireRole(auth, 'ADMIN');
      const filter = parseRetryFilter(input);
      const requeued = await notifications.requeueFailedMatching(filter);
      logger.info('notification bulk retry requested', {
        userId: viewer.userId,
        requeued,
        notificationKind: filter.kind,
        errorCode: filter.errorKind,
      });
      if (requeued > 0) deps.onRequeued?.();
      return requeued;
    },

    async retry(auth: Auth, id: string): Promise<NotificationDocument> {
      const viewer = requireRole(auth, 'ADMIN');
      if (!/^[0-9a-fA-F]{24}$/.test(id)) throw new BadUserInputError('id is not a valid notification id', 'id');
      const objectId = new ObjectId(id);
      const requeued = await notifications.requeueFailed(objectId);
      if (!requeued) {
        const existing = await notifications.findById(objectId);
        if (!existing) throw new NotFoundError('Notification not found');
        throw new ConflictError(`Only FAILED notifications can be retried; this one is ${existing.status}`);
      }
      logger.info('notification retry requested', { notificationId: id, userId: viewer.userId, deliveryStatus: 'PENDING' });
      deps.onRequeued?.();
      return requeued;
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
