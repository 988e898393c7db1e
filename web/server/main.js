// The storefront's production server: the built files of `vite build` (web/dist), nothing else. The
// build copies this file to dist/main.js, so the image runs it as every service runs (`node dist/main.js`,
// uid 1000, read-only root filesystem); it needs no dependencies and writes nothing.
// - Only the files present at start are served (an allow-list read once: no path from a URL ever
//   reaches the file system); any other GET is a client-side route and gets index.html.
// - /assets/* are content-hashed by Vite: cached for a year, immutable. index.html is revalidated.
// - Every answer carries the Content-Security-Policy and the other security headers below. /graphql is
//   not served here: the Ingress/HTTPRoute sends it to the gateway on the same host.
// - Text files are gzipped once at start and sent compressed to clients that accept gzip.
// - /healthz and /readyz for the probes; SIGTERM closes the listener and lets requests finish.
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

/** script-src 'self' with no inline script: Vite emits only external module scripts. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** URL path -> { body, type, cacheControl }, for every built file except this server. */
function loadFiles(dir) {
  const files = new Map();
  const visit = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (full !== fileURLToPath(import.meta.url)) {
        const url = '/' + relative(dir, full).split(sep).join('/');
        const hashed = url.startsWith('/assets/');
        const body = readFileSync(full);
        const type = types[extname(full)] ?? 'application/octet-stream';
        const compressible = /^(text\/|application\/json|image\/svg)/.test(type);
        const gzipped = compressible ? gzipSync(body, { level: 9 }) : undefined;
        files.set(url, {
          body,
          gzipped: gzipped && gzipped.length < body.length ? gzipped : undefined,
          compressible,
          type,
          cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  };
  visit(dir);
  return files;
}

/** The request handler: the built files of `dir`, loaded once. */
export function storefrontHandler(dir = root) {
  const files = loadFiles(dir);
  const index = files.get('/index.html');
  if (!index) throw new Error(`no index.html in ${dir}: run the storefront build first`);
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://storefront').pathname;
    if (path === '/healthz' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('ok');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...securityHeaders, allow: 'GET, HEAD' }).end();
      return;
    }
    // A missing hashed asset is a 404 (an old page asking for a file a newer build replaced), not HTML.
    const file = files.get(path) ?? (path.startsWith('/assets/') ? undefined : index);
    if (!file) {
      res.writeHead(404, { ...securityHeaders, 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('not found');
      return;
    }
    const gzip = file.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzipped : file.body;
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.cacheControl,
      ...(file.compressible ? { vary: 'accept-encoding' } : {}),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export function createStorefrontServer(dir = root) {
  return createServer(storefrontHandler(dir));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = createStorefrontServer();
  server.listen(port, host, () => console.log(JSON.stringify({ msg: 'storefront listening', host, port })));
  // Requests in flight finish (up to SHUTDOWN_TIMEOUT_MS); idle keep-alive connections close at once.
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000)).unref();
  });
}
