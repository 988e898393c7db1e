import type { CheckedEvent, EventType } from '@little-ecom/events';
import type { NotificationRepository } from '../../notifications/notification.repository.js';
import type { UserRepository } from '../../users/user.repository.js';

/** What every event handler may use. */
export interface HandlerDeps {
  users: UserRepository;
  notifications: NotificationRepository;
  storefrontUrl: string;
  /** Called after new notifications were recorded, to wake the delivery worker. */
  onRecorded: () => void;
}

/** Handles one checked event of type `T`; must be idempotent (events arrive at least once). */
export type Handler<T extends EventType> = (event: CheckedEvent<T>, deps: HandlerDeps) => Promise<void>;
