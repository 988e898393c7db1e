import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { readOrCreateDevFile } from '@little-ecom/config';
import type { Logger } from '@little-ecom/logger';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

/** The keys accounts signs with: the first one signs, all of them are published. */
export interface SigningKeys {
  active: { kid: string; alg: SigningAlgorithm; key: CryptoKey };
  /** Public halves only, served at /.well-known/jwks.json. */
  jwks: { keys: JWK[] };
  algorithms: SigningAlgorithm[];
}

/** RFC 8725: the algorithm belongs to the key, never to whatever a token header claims. */
function algorithmOf(jwk: JWK): SigningAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && (jwk.alg ?? 'ES256') === 'ES256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && (jwk.alg ?? 'EdDSA') === 'EdDSA') return 'EdDSA';
  throw new Error(`signing key ${jwk.kid ?? '(no kid)'}: only ES256 (EC P-256) and EdDSA (Ed25519) keys are supported`);
}

/** Copies the public members only, so a private parameter can never leak through the JWKS. */
function publicHalf(jwk: JWK, alg: SigningAlgorithm): JWK {
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), kid, alg, use: 'sig' };
}

/** Imports private JWKs (from `JWT_SIGNING_KEYS` or the development file). */
export async function importSigningKeys(privateJwks: JWK[]): Promise<SigningKeys> {
  const first = privateJwks[0];
  if (!first) throw new Error('at least one signing key is required');
  const algorithms = privateJwks.map(algorithmOf);
  const alg = algorithms[0]!;
  const key = await importJWK(first, alg);
  if (key instanceof Uint8Array || !first.kid || !first.d)
    throw new Error('the active signing key must be a private asymmetric JWK with a kid');
  // Fail at start-up, not at the first login, when a published key is malformed.
  await Promise.all(privateJwks.map((jwk, i) => importJWK(publicHalf(jwk, algorithms[i]!), algorithms[i])));
  return {
    active: { kid: first.kid, alg, key },
    jwks: { keys: privateJwks.map((jwk, i) => publicHalf(jwk, algorithms[i]!)) },
    algorithms: [...new Set(algorithms)],
  };
}

/** A new ES256 private JWK with a random kid (also what `docs/auth.md` shows for generating production keys). */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

/**
 * Development only: reads the key kept in the git-ignored data folder, creating it on first start, so
 * tokens survive restarts of `npm run dev`.
 */
async function loadOrCreateDevKeys(file: string, logger: Logger): Promise<JWK[]> {
  // Generated up front (a few ms) because the file is created atomically from a ready string.
  const generated = [await generateSigningJwk()];
  const parsed = JSON.parse(readOrCreateDevFile(file, () => `${JSON.stringify(generated, null, 2)}\n`)) as unknown;
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${file} does not hold a JSON array of JWKs`);
  const keys = parsed as JWK[];
  if (keys[0]?.kid === generated[0]?.kid) logger.info('generated a development JWT signing key', { file });
  return keys;
}

/** Keys from config in production; in development, the generated key when none are configured. */
export async function loadSigningKeys(
  config: { signingKeys: JWK[] | undefined; devKeyFile: string },
  logger: Logger,
): Promise<SigningKeys> {
  return importSigningKeys(config.signingKeys ?? (await loadOrCreateDevKeys(config.devKeyFile, logger)));
}
