import { ObjectId, type Filter } from 'mongodb';
import { requireRole, requireViewer, type Auth } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@little-ecom/errors';
import { pageSize, parseObjectId, toCursorPage, type CursorPage } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
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

type NotificationPage = CursorPage<NotificationDocument>;

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
  circuit: Circuit;
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
    const limit = pageSize(first);
    const before = after ? decodeCursor(after) : undefined;
    const [docs, totalCount] = await Promise.all([notifications.page(filter, before, limit + 1), notifications.count(filter)]);
    return toCursorPage(docs, limit, totalCount, (node) => encodeCursor(node._id));
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

    /** The server's raw answer is for admins; users get the kind in words (`lastError`). */
    errorDetail(scope: Scope, n: NotificationDocument): string | null {
      return scope.auth.viewer?.role === 'ADMIN' ? (n.lastErrorDetail ?? null) : null;
    },

    async deliveryState(scope: Scope) {
      requireRole(scope.auth, 'ADMIN');
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
      scope: Scope,
      input: { kind?: string | null; errorKind?: string | null; createdAfter?: string | null; createdBefore?: string | null },
    ): Promise<number> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const filter = parseRetryFilter(input);
      const requeued = await notifications.requeueFailedMatching(filter);
      scope.logger.info('notification bulk retry requested', {
        userId: viewer.userId,
        requeued,
        notificationKind: filter.kind,
        errorCode: filter.errorKind,
      });
      if (requeued > 0) deps.onRequeued?.();
      return requeued;
    },

    async retry(scope: Scope, id: string): Promise<NotificationDocument> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const objectId = parseObjectId(id);
      if (!objectId) throw new BadUserInputError('id is not a valid notification id', 'id');
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
