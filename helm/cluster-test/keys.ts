import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

const gatewayPair = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });

/**
 * The Secret keys infra/cluster/values.yaml leaves out: the cluster test generates them for each run
 * (never committed) in the formats docs/deploy.md §4 gives, and passes them with --set-file.
 * helm/test/cluster-values.test.ts checks that these and the values file together give every pod
 * every key it reads.
 */
export const GENERATED_KEYS: Record<string, () => string> = {
  'jwt-signing-keys': () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `cluster-${randomUUID().slice(0, 8)}`, alg: 'ES256', use: 'sig' };
    return JSON.stringify([jwk]);
  },
  // One Ed25519 pair per run: JWK `d` is the 32-byte private seed, `x` the raw public key.
  'gateway-signing-key': () => gatewayPair.d!,
  'gateway-public-key': () => gatewayPair.x!,
  'event-secrets-key': () => randomBytes(32).toString('base64'),
  'totp-secrets-key': () => randomBytes(32).toString('base64'),
};
