import DataLoader from 'dataloader';
import { authenticateRequest, type Auth, type TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { AuthService, RequestMeta } from './auth/auth.service.js';
import type { SessionService } from './sessions/session.service.js';
import type { UserDocument } from './users/user.repository.js';
import type { UserService } from './users/user.service.js';

export interface AccountsContext extends RequestContext {
  auth: Auth;
  /** Request id and client address, as the auth flows need them (throttling, event correlation). */
  meta: RequestMeta;
  accounts: AuthService;
  users: UserService;
  sessions: SessionService;
  /**
   * Users this request has proven to be, besides the token's: the one that just signed up, logged in
   * or refreshed (their AuthPayload.user shows personal fields before any token was sent).
   */
  provenUserIds: Set<string>;
  loaders: { userById: DataLoader<string, UserDocument | null> };
}

export interface ContextDeps {
  accounts: AuthService;
  users: UserService;
  sessions: SessionService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: a verified viewer (or none) and fresh DataLoaders, so batches never leak across requests. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<AccountsContext> {
  return {
    ...(await authenticateRequest(info, deps.verifier, deps.logger)),
    meta: { requestId: info.requestId, clientIp: info.clientIp },
    accounts: deps.accounts,
    users: deps.users,
    sessions: deps.sessions,
    provenUserIds: new Set(),
    loaders: {
      userById: new DataLoader((ids) => deps.users.getManyById(ids), { maxBatchSize: 500 }),
    },
  };
}
