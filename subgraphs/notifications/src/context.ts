import { authenticateRequest, type Auth, type TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { NotificationService } from './notifications/notification.service.js';

export interface NotificationsContext extends RequestContext {
  auth: Auth;
  notifications: NotificationService;
}

export interface ContextDeps {
  notifications: NotificationService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: the verified viewer (or none) and the service. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<NotificationsContext> {
  return {
    ...(await authenticateRequest(info, deps.verifier, deps.logger)),
    notifications: deps.notifications,
  };
}
