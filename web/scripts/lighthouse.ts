import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig, type Config } from 'lighthouse';
import { build } from 'vite';
import { startStack } from '@little-ecom/e2e/harness';
import { adminToken, createProducts, graphql } from '../test/support/api.js';
import { chromiumPath } from '../test/support/browser.js';
import { testDistDir } from '../test/support/build.js';
import { startStorefront } from '../test/support/storefront.js';

/**
 * `npm run bench:web` (second part): Lighthouse, the npm package driving Debian's Chromium, on the
 * catalog and a product page, desktop and mobile (Lighthouse's default throttling for each), against
 * the production build served on the local stack (gateway, subgraphs, FerretDB, RabbitMQ; local
 * services up: `npm run services start`). Prints the performance and accessibility scores and the
 * largest contentful paint. Figures, not assertions: compare runs side by side on a quiet machine.
 */
const webDir = fileURLToPath(new URL('..', import.meta.url));
const runs = [
  ['desktop', desktopConfig],
  ['mobile', undefined],
] as const satisfies readonly (readonly [string, Config | undefined])[];

await build({ root: webDir, logLevel: 'warn', build: { outDir: testDistDir, emptyOutDir: true, sourcemap: false } });
const stack = await startStack({ mode: 'orders' });
const storefront = await startStorefront(stack.gatewayUrl);
const chrome = await chromeLauncher.launch({
  chromePath: chromiumPath,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
try {
  const { token } = await adminToken(stack);
  const categories = ['kitchen', 'garden', 'office'];
  const [first] = await createProducts(
    stack,
    token,
    Array.from({ length: 24 }, (_, i) => ({
      name: `Lighthouse product ${i + 1}`,
      category: categories[i % categories.length]!,
      amount: 1_000 + i * 250,
      stock: 10,
    })),
  );
  const { product } = await graphql<{ product: { slug: string } }>(
    stack.gatewayUrl,
    'query ($id: ID!) { product(id: $id) { slug } }',
    { id: first },
  );
  const pages = [
    ['catalog', `${storefront.url}/`],
    ['product', `${storefront.url}/products/${product.slug}`],
  ] as const;

  console.log('page      form     performance  accessibility  LCP');
  for (const [page, url] of pages) {
    for (const [form, config] of runs) {
      const result = await lighthouse(
        url,
        { port: chrome.port, logLevel: 'error', onlyCategories: ['performance', 'accessibility'] },
        config,
      );
      if (!result) throw new Error(`Lighthouse returned no result for ${url}`);
      const { categories: scores, audits } = result.lhr;
      const score = (id: string) => String(Math.round((scores[id]?.score ?? 0) * 100)).padStart(3);
      const lcp = audits['largest-contentful-paint']?.numericValue ?? NaN;
      console.log(
        `${page.padEnd(9)} ${form.padEnd(8)} ${score('performance').padStart(11)}  ${score('accessibility').padStart(13)}  ${(lcp / 1000).toFixed(2)} s`,
      );
    }
  }
} finally {
  chrome.kill();
  await storefront.close();
  await stack.close();
}
