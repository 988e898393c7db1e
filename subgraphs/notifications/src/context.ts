import type { TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import { scopeForRequest } from '@little-ecom/scope';
import type { NotificationService } from './notifications/notification.service.js';

export interface NotificationsContext extends RequestContext {
  notifications: NotificationService;
}

export interface ContextDeps {
  notifications: NotificationService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: the request's scope (verified caller) and the service. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<NotificationsContext> {
  return { scope: await scopeForRequest(info, deps.verifier, deps.logger), notifications: deps.notifications };
}
