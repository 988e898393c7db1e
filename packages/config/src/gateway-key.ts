import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EnvOf } from './load.js';

// Three levels up from packages/config/src (or dist) is the repository root with its git-ignored .data/.
const DEFAULT_GATEWAY_DEV_KEY_FILE = fileURLToPath(new URL('../../../.data/gateway/subgraph-key', import.meta.url));

/**
 * The gateway's Ed25519 private key, which signs every subgraph request (docs/auth.md, "Gateway-to-
 * subgraph trust"): a 32-byte seed, base64url. Required in production; development generates a file.
 */
export const gatewaySigningKeyEnv = {
  GATEWAY_SIGNING_KEY: z.string().optional(),
  GATEWAY_DEV_SIGNING_KEY_FILE: z.string().default(DEFAULT_GATEWAY_DEV_KEY_FILE),
};

export function gatewaySigningKeySettings(env: EnvOf<typeof gatewaySigningKeyEnv>) {
  return { signingKey: env.GATEWAY_SIGNING_KEY, devKeyFile: env.GATEWAY_DEV_SIGNING_KEY_FILE };
}

/**
 * The public half, which subgraphs check the gateway's signatures with (raw 32 bytes, base64url). A
 * subgraph never holds the private key, so it cannot sign as the gateway. Required in production;
 * development derives it from the gateway's generated file (the same default path as
 * `GATEWAY_DEV_SIGNING_KEY_FILE`).
 */
export const gatewayPublicKeyEnv = {
  GATEWAY_PUBLIC_KEY: z.string().optional(),
  GATEWAY_DEV_KEY_FILE: z.string().default(DEFAULT_GATEWAY_DEV_KEY_FILE),
};

export function gatewayPublicKeySettings(env: EnvOf<typeof gatewayPublicKeyEnv>) {
  return { publicKey: env.GATEWAY_PUBLIC_KEY, devKeyFile: env.GATEWAY_DEV_KEY_FILE };
}
