// Stock @apollo/gateway + @apollo/server for comparison in bench/gateways.ts: every default kept
// (RemoteGraphQLDataSource over make-fetch-happen, default plugins), plus the one thing the storefront
// needs, forwarding Authorization. Served over plain node:http like ours. Env: SUPERGRAPH_PATH, PORT.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';

interface Context extends BaseContext {
  authorization?: string | undefined;
}

class Forwarding extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    const auth = (context as Partial<Context>).authorization;
    if (auth) request.http?.headers.set('authorization', auth);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env['SUPERGRAPH_PATH']!, 'utf8'),
  buildService: ({ url }) => new Forwarding({ url }),
});
const apollo = new ApolloServer<Context>({ gateway });
await apollo.start();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    apollo
      .executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? 'GET',
          headers,
          search: url.search,
          body: raw ? (JSON.parse(raw) as unknown) : undefined,
        },
        context: async () => ({ authorization: req.headers.authorization }),
      })
      .then((response) => {
        for (const [k, v] of response.headers) res.setHeader(k, v);
        res.statusCode = response.status ?? 200;
        res.end(response.body.kind === 'complete' ? response.body.string : '');
      })
      .catch(() => res.writeHead(500).end());
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env['PORT']), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void apollo.stop();
});
