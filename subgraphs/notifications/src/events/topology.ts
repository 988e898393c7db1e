import {
  CONSUMER_BINDINGS,
  consumerTopology,
  DEFAULT_RETRY,
  type ConsumerTopology,
  type RetrySettings,
} from '@little-ecom/events';

/** Routing keys the notifications queue is bound to. */
const BINDINGS = [...CONSUMER_BINDINGS.notifications];

/** Notifications' queues (mirrored in infra/rabbitmq/definitions.json) under a prefix ('' in production). */
export const notificationsTopology = (prefix = '', retry: RetrySettings = DEFAULT_RETRY): ConsumerTopology =>
  consumerTopology('notifications', BINDINGS, prefix, retry);
