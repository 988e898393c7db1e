import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromiumPath } from './browser.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));

/** Vitest global setup: the production build of the storefront, once per run, served by each journey. */
export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: scripts/test.sh installs it (apt-get install chromium).`);
  }
  await build({ root: webDir, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true, sourcemap: false } });
}
