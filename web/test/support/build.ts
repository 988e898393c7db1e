import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromiumPath } from './browser.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Where the journeys' build goes: not dist/, which is the production build (`npm run build`, with the
 * server copied in) that the image build copies; a test run must never replace it under a build.
 */
export const testDistDir = fileURLToPath(new URL('../../.test-dist', import.meta.url));

/** Vitest global setup: the production build of the storefront, once per run, served by each journey. */
export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: scripts/test.sh installs it (apt-get install chromium).`);
  }
  await build({ root: webDir, logLevel: 'warn', build: { outDir: testDistDir, emptyOutDir: true, sourcemap: false } });
}
