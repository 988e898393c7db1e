import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError, ForbiddenError } from '@little-ecom/errors';
import type { Logger } from '@little-ecom/logger';
import { createRevocationList, httpRevocationSource, type RevocationList } from './revocations.js';

export * from './revocations.js';

const ROLES = ['CUSTOMER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** The caller of a request, built only from a verified access token. */
export interface Viewer {
  userId: string;
  role: Role;
  tokenId: string;
  /** The session (refresh-token family) the token was issued for: the required `sid` claim. */
  sessionId: string;
}

export interface VerifierOptions {
  /** Where the accounts subgraph publishes its public keys. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Pinned: tokens signed with anything else (including `none`) are rejected. */
  algorithms: string[];
  /** Clock skew tolerated on `exp`/`nbf`, in seconds. */
  clockToleranceSeconds?: number;
  /** For tests: a key set to use instead of fetching `jwksUrl`. */
  keySet?: JWTVerifyGetKey;
  /**
   * Ended sessions (see revocations.ts). Without it tokens of ended sessions pass until they expire,
   * which only unit tests of signature checks may accept; every service passes one.
   */
  revocations?: RevocationList;
}

export type VerifyResult = { viewer: Viewer; error?: never } | { viewer?: never; error: string };

export interface TokenVerifier {
  verify(token: string): Promise<VerifyResult>;
}

/** Access tokens carry this `typ` header (RFC 9068) so an ID or refresh token can never pass as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  // jose caches the key set, refetches when it sees an unknown `kid` (key rotation), and rate-limits
  // refetches so a flood of forged kids cannot hammer the accounts service.
  const keySet =
    options.keySet ??
    createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
          typ: ACCESS_TOKEN_TYPE,
          clockTolerance: options.clockToleranceSeconds ?? 5,
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'sid'],
        });
        const role = payload['role'];
        const sid = payload['sid'];
        if (
          typeof payload.sub !== 'string' ||
          payload.sub === '' ||
          !isRole(role) ||
          typeof payload.jti !== 'string' ||
          typeof sid !== 'string' ||
          sid === ''
        ) {
          return { error: 'token claims are invalid' };
        }
        let status = options.revocations?.status(sid) ?? 'active';
        if (status === 'unknown') {
          // Just started, or a poll was missed: one immediate refresh (shared by concurrent requests).
          await options.revocations?.refresh();
          status = options.revocations?.status(sid) ?? 'active';
        }
        if (status === 'revoked') return { error: 'session ended' };
        // Fail closed: while we cannot tell which sessions ended, no session is trusted.
        if (status === 'unknown') return { error: 'token could not be verified' };
        return { viewer: { userId: payload.sub, role, tokenId: payload.jti, sessionId: sid } };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { error: 'token expired' };
        if (error instanceof errors.JOSEError) return { error: 'token invalid' };
        // JWKS unreachable and nothing cached: the token cannot be checked, so it is not trusted.
        return { error: 'token could not be verified' };
      }
    },
  };
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Who is calling, as far as this request can tell. `authError` is set when a token was sent but failed. */
export interface Auth {
  viewer: Viewer | null;
  authError: string | null;
}

const BEARER = /^Bearer ([A-Za-z0-9\-_.]+)$/;

/** Never throws: a bad token yields `authError`, so queries that allow anonymous callers still work. */
export async function authenticate(authorization: string | undefined, verifier: TokenVerifier): Promise<Auth> {
  if (!authorization) return { viewer: null, authError: null };
  const match = BEARER.exec(authorization.trim());
  if (!match?.[1] || match[1].length > 8192) return { viewer: null, authError: 'malformed Authorization header' };
  const result = await verifier.verify(match[1]);
  return result.viewer ? { viewer: result.viewer, authError: null } : { viewer: null, authError: result.error };
}

/** Throws UNAUTHENTICATED unless the request carries a valid access token. */
export function requireViewer(auth: Auth): Viewer {
  if (auth.viewer) return auth.viewer;
  throw new UnauthenticatedError(auth.authError ? `Invalid access token: ${auth.authError}` : 'Authentication required');
}

/** Throws UNAUTHENTICATED without a valid token, FORBIDDEN when the role is not allowed. */
export function requireRole(auth: Auth, role: Role): Viewer {
  const viewer = requireViewer(auth);
  if (viewer.role !== role) throw new ForbiddenError(`This operation requires the ${role} role`);
  return viewer;
}

/**
 * The verifier a service runs with: JWKS from `jwksUrl`, ended sessions from the accounts revocation
 * feed at `revocationsUrl` (polled; see revocations.ts). Stop `revocations` on shutdown.
 */
export function createServiceVerifier(
  settings: Omit<VerifierOptions, 'keySet' | 'revocations'> & { revocationsUrl: string },
  logger: Logger,
): { verifier: TokenVerifier; revocations: RevocationList } {
  const revocations = createRevocationList({ source: httpRevocationSource(settings.revocationsUrl), logger });
  return { verifier: createTokenVerifier({ ...settings, revocations }), revocations };
}
export * from './gateway-signature.js';
export * from './session-transport.js';
