import { z } from 'zod';
import { httpUrl, list } from './fields.js';
import type { EnvOf } from './load.js';

/** How subgraphs find and check access tokens; defaults match the local accounts subgraph. */
export const tokenVerifierEnv = {
  JWKS_URL: httpUrl('http://127.0.0.1:4002/.well-known/jwks.json'),
  JWT_ISSUER: z.string().default('http://localhost:4002'),
  JWT_AUDIENCE: z.string().default('little-ecom'),
  JWT_ALGORITHMS: list(['ES256']),
  /** The accounts feed of ended sessions, polled twice a second (docs/auth.md, "Revocation"). */
  REVOCATIONS_URL: httpUrl('http://127.0.0.1:4002/internal/revocations'),
};

export function tokenVerifierSettings(env: EnvOf<typeof tokenVerifierEnv>) {
  return {
    jwksUrl: env.JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    algorithms: env.JWT_ALGORITHMS,
    revocationsUrl: env.REVOCATIONS_URL,
  };
}
