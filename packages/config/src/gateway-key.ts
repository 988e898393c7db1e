import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EnvOf } from './load.js';

// Three levels up from packages/config/src (or dist) is the repository root with its git-ignored .data/.
const DEFAULT_GATEWAY_DEV_KEY_FILE = fileURLToPath(new URL('../../../.data/gateway/subgraph-key', import.meta.url));

/**
 * The key the gateway signs subgraph requests with and subgraphs check (docs/auth.md, "Gateway to
 * subgraph trust"). Required in production; development shares a generated file.
 */
export const gatewayKeyEnv = {
  GATEWAY_KEY: z.string().optional(),
  GATEWAY_DEV_KEY_FILE: z.string().default(DEFAULT_GATEWAY_DEV_KEY_FILE),
};

export function gatewayKeySettings(env: EnvOf<typeof gatewayKeyEnv>) {
  return { key: env.GATEWAY_KEY, devKeyFile: env.GATEWAY_DEV_KEY_FILE };
}
