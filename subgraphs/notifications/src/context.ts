import { authenticate, type Auth, type TokenVerifier } from '@little-ecom/auth';
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
  const auth = await authenticate(info.headers.authorization, deps.verifier);
  return {
    requestId: info.requestId,
    logger: deps.logger.child({ requestId: info.requestId, ...(auth.viewer ? { userId: auth.viewer.userId } : {}) }),
    auth,
    notifications: deps.notifications,
  };
}
