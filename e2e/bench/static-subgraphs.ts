// Four cheap in-process subgraphs with static data (the shape of the graphql-gateways-benchmark
// federation workload: accounts, inventory, products, reviews), so a benchmark through them measures
// the gateway, not a database. Started as a child process by bench/gateways.ts; prints one JSON line
// `{ supergraphPath, urls }` when listening and stops on SIGTERM.
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { composeSupergraph } from '@little-ecom/supergraph';

type Row = Record<string, unknown>;
const users: Row[] = Array.from({ length: 10 }, (_, i) => ({ id: `u${i}`, name: `User ${i}`, username: `user${i}` }));
const products: Row[] = Array.from({ length: 10 }, (_, i) => ({
  upc: `p${i}`,
  name: `Product ${i}`,
  price: 100 + i * 7,
  weight: 10 + i,
}));
const reviews: Row[] = Array.from({ length: 30 }, (_, i) => ({
  id: `r${i}`,
  body: `Review ${i} `.repeat(4),
  authorId: `u${i % 10}`,
  upc: `p${(i * 3) % 10}`,
}));
const fed =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@shareable"])';

const subgraphs: Record<string, { sdl: string; resolvers: Record<string, Record<string, unknown>> }> = {
  accounts: {
    sdl: `${fed}
      type Query { me: User users: [User] }
      type User @key(fields: "id") { id: ID! name: String username: String }`,
    resolvers: {
      Query: { me: () => users[0], users: () => users },
      User: { __resolveReference: (ref: Row) => users.find((u) => u['id'] === ref['id']) },
    },
  },
  products: {
    sdl: `${fed}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, args: { first: number }) => products.slice(0, args.first) },
      Product: { __resolveReference: (ref: Row) => products.find((p) => p['upc'] === ref['upc']) },
    },
  },
  inventory: {
    sdl: `${fed}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: Row) => ({ ...ref, inStock: ref['upc'] !== 'p3' }),
        shippingEstimate: (p: Row) => (Number(p['price']) > 1000 ? 0 : Math.round(Number(p['weight']) * 0.5)),
      },
    },
  },
  reviews: {
    sdl: `${fed}
      type Review @key(fields: "id") { id: ID! body: String author: User product: Product }
      type User @key(fields: "id") { id: ID! reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
    resolvers: {
      Review: { author: (r: Row) => ({ id: r['authorId'] }), product: (r: Row) => ({ upc: r['upc'] }) },
      User: { reviews: (u: Row) => reviews.filter((r) => r['authorId'] === u['id']) },
      Product: { reviews: (p: Row) => reviews.filter((r) => r['upc'] === p['upc']) },
    },
  },
};

/** The cheapest honest GraphQL-over-HTTP server: parse once per distinct document, execute, reply. */
function serve(schema: GraphQLSchema): Promise<http.Server> {
  const documents = new Map<string, DocumentNode>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      let document = documents.get(body.query);
      if (!document) {
        document = parse(body.query);
        const errors = validate(schema, document);
        if (errors.length > 0) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
          return;
        }
        if (documents.size < 1_000) documents.set(body.query, document);
      }
      Promise.resolve(execute({ schema, document, variableValues: body.variables ?? {} }))
        .then((result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)))
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const servers: http.Server[] = [];
const urls: Record<string, string> = {};
for (const [name, { sdl, resolvers }] of Object.entries(subgraphs)) {
  const server = await serve(buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }));
  servers.push(server);
  urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}
const supergraphPath = join(mkdtempSync(join(tmpdir(), 'little-ecom-bench-static-')), 'supergraph.graphql');
writeFileSync(
  supergraphPath,
  composeSupergraph(Object.entries(subgraphs).map(([name, s]) => ({ name, url: urls[name]!, sdl: s.sdl }))),
);
console.log(JSON.stringify({ supergraphPath, urls }));
process.once('SIGTERM', () => {
  for (const server of servers) server.closeAllConnections();
  for (const server of servers) server.close();
});
