import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storefrontHandler } from '../../server/main.js';
import { testDistDir } from './build.js';

export interface Storefront {
  url: string;
  close(): Promise<void>;
}

/**
 * The built storefront on an ephemeral loopback port, as production serves it: the production server's
 * handler (web/server/main.js: CSP and the other headers, gzip, the SPA fallback to index.html), and
 * `/graphql` forwarded to the gateway as the Ingress does (so the browser stays same-origin, cookies
 * included).
 */
export async function startStorefront(gatewayGraphqlUrl: string): Promise<Storefront> {
  const gateway = new URL(gatewayGraphqlUrl);
  const serveFile = storefrontHandler(testDistDir);
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/graphql')) forward(req, res, gateway);
    else serveFile(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, gateway: URL): void {
  const upstream = request(
    {
      host: gateway.hostname,
      port: gateway.port,
      path: req.url,
      method: req.method,
      // The Host the browser used, as a reverse proxy in front of storefront and gateway keeps it: the
      // gateway's cookie origin check takes the storefront's origin for its own.
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
