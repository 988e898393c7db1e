import type { CheckedEvent, EventType } from '@little-ecom/events';
import type { SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import type { Scope } from '@little-ecom/scope';
import type { FanOutRepository } from '../../fanout/fanout.repository.js';
import type { NotificationRepository } from '../../notifications/notification.repository.js';
import type { AwaitingUserRepository } from '../../users/awaiting-user.repository.js';
import type { UserRepository } from '../../users/user.repository.js';
import type { AggregateVersions } from '../aggregate-versions.js';

/** What every event handler may use. */
export interface HandlerDeps {
  /** The event's scope: its correlation id is the request that caused the event. */
  scope: Scope;
  users: UserRepository;
  /** Order emails waiting for their user's projection. */
  awaitingUser: AwaitingUserRepository;
  /** How long an order email waits for its user before it is given up. */
  awaitUserMs: number;
  notifications: NotificationRepository;
  versions: AggregateVersions;
  logger: Logger;
  storefrontUrl: string;
  /** Opens sealed values when a subject is rendered at record time (nothing opened is stored). */
  secrets: SecretBox;
  fanOutJobs: FanOutRepository;
  /** Recipients per fan-out page: an audience of at most this many is recorded without a job. */
  fanOutPageSize: number;
  /** Called after new notifications were recorded, to wake the delivery worker. */
  onRecorded: () => void;
  /** Called after a fan-out job was recorded, to wake the fan-out runner. */
  onFanOut: () => void;
}

/** Handles one checked event of type `T`; must be idempotent (events arrive at least once). */
export type Handler<T extends EventType> = (event: CheckedEvent<T>, deps: HandlerDeps) => Promise<void>;

/**
 * True when the event is at least as new as anything applied for its aggregate; logs and returns
 * false for a stale one, which the handler then ignores (and the consumer acknowledges).
 */
export async function isCurrent(deps: HandlerDeps, event: CheckedEvent, aggregate: string, version: number): Promise<boolean> {
  if (await deps.versions.admit(aggregate, version)) return true;
  deps.logger.info('stale event ignored', {
    eventId: event.id,
    eventType: event.type,
    aggregate,
    aggregateVersion: version,
  });
  return false;
}
