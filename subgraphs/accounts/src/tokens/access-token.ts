import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, createLocalJWKSet } from 'jose';
import { ACCESS_TOKEN_TYPE, createTokenVerifier, type RevocationList, type Role, type TokenVerifier } from '@little-ecom/auth';
import type { SigningKeys } from './signing-keys.js';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

export interface AccessTokenIssuer {
  /** Signs a short-lived access token (RFC 9068 profile) for one session. */
  issue(claims: { userId: string; role: Role; sessionId: string }): Promise<{ token: string; expiresAt: Date }>;
}

export function createAccessTokenIssuer(keys: SigningKeys, settings: AccessTokenSettings, clock: () => Date): AccessTokenIssuer {
  return {
    async issue({ userId, role, sessionId }) {
      const now = clock();
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + settings.accessTtlSeconds) * 1000);
      const token = await new SignJWT({ role, sid: sessionId })
        .setProtectedHeader({ alg: keys.active.alg, kid: keys.active.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(userId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .setJti(randomUUID())
        .sign(keys.active.key);
      return { token, expiresAt };
    },
  };
}

/**
 * Accounts verifies tokens with the same shared verifier as every subgraph (issuer, audience,
 * algorithms and typ pinned), only against its own keys in memory instead of over HTTP.
 */
export function createLocalVerifier(
  keys: SigningKeys,
  settings: AccessTokenSettings,
  revocations?: RevocationList,
): TokenVerifier {
  return createTokenVerifier({
    ...(revocations ? { revocations } : {}),
    jwksUrl: new URL('/.well-known/jwks.json', settings.issuer).toString(),
    keySet: createLocalJWKSet(keys.jwks),
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: keys.algorithms,
  });
}

/** GET /.well-known/jwks.json: public keys, cacheable for a short while so rotations spread quickly. */
export function jwksRoute(keys: SigningKeys, maxAgeSeconds: number) {
  const body = JSON.stringify(keys.jwks);
  return (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'content-length': Buffer.byteLength(body),
      'cache-control': `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds}`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
