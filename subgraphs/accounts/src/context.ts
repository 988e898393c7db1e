import DataLoader from 'dataloader';
import type { TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import { scopeForRequest } from '@little-ecom/scope';
import type { AuthService } from './auth/auth.service.js';
import { cookieSessionFrom, type CookieSession } from './sessions/cookie.js';
import type { SessionService } from './sessions/session.service.js';
import type { TotpService } from './totp/totp.service.js';
import type { UserDocument } from './users/user.repository.js';
import type { UserService } from './users/user.service.js';

export interface AccountsContext extends RequestContext {
  accounts: AuthService;
  users: UserService;
  sessions: SessionService;
  totp: TotpService;
  /**
   * Users this request has proven to be, besides the token's: the one that just signed up, logged in
   * or refreshed (their AuthPayload.user shows personal fields before any token was sent).
   */
  provenUserIds: Set<string>;
  /** Browser mode and the session cookie's token, as the gateway forwarded them (sessions/cookie.ts). */
  cookieSession: CookieSession;
  loaders: { userById: DataLoader<string, UserDocument | null> };
}

export interface ContextDeps {
  accounts: AuthService;
  users: UserService;
  sessions: SessionService;
  totp: TotpService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: the request's scope (verified caller) and fresh DataLoaders, so batches never leak across requests. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<AccountsContext> {
  const scope = await scopeForRequest(info, deps.verifier, deps.logger);
  return {
    scope,
    accounts: deps.accounts,
    users: deps.users,
    sessions: deps.sessions,
    totp: deps.totp,
    provenUserIds: new Set(),
    cookieSession: cookieSessionFrom(info.headers),
    loaders: {
      userById: new DataLoader((ids) => deps.users.getManyById(ids), { maxBatchSize: 500 }),
    },
  };
}
