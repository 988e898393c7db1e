import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * `npm run bench:web`: the JavaScript a first visit to each main route downloads (the entry, the
 * route's lazy chunk and everything they import), gzip-compressed, against the 150 KB budget.
 */
const webDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'little-ecom-web-'));
const budgetKb = 150;

try {
  await build({ root: webDir, logLevel: 'warn', build: { outDir, manifest: true, sourcemap: false } });
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    { file: string; imports?: string[] }
  >;
  const gzipKb = (route: string) => {
    const seen = new Set<string>();
    const walk = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      for (const next of manifest[key]?.imports ?? []) walk(next);
    };
    walk('index.html');
    walk(route);
    let bytes = 0;
    for (const key of seen) bytes += gzipSync(readFileSync(join(outDir, manifest[key]!.file))).length;
    return bytes / 1024;
  };
  for (const [name, route] of [
    ['catalog', 'src/routes/catalog.tsx'],
    ['product', 'src/routes/product.tsx'],
    ['checkout', 'src/routes/checkout.tsx'],
    ['admin', 'src/routes/admin/index.tsx'],
  ] as const) {
    const kb = gzipKb(route);
    console.log(
      `${name.padEnd(10)} ${kb.toFixed(1).padStart(6)} KB gzip JS ${kb <= budgetKb ? 'within' : 'OVER'} the ${budgetKb} KB budget`,
    );
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
