// Catalog read benchmark through the gateway: `npm run bench:catalog [-- --requests 2000 --concurrency 16]`.
// Starts the products subgraph and the gateway in this process (loopback only, fresh database), seeds
// products, then sends a bounded number of requests and prints throughput, latency percentiles and memory.
import { parseArgs } from 'node:util';
import { graphqlRequest, percentile } from '@little-ecom/testing';
import { startStack } from '../test/harness.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    products: { type: 'string', default: '200' },
  },
});
const total = Math.min(Number(values.requests), 100_000);
const concurrency = Math.min(Number(values.concurrency), 256);

const stack = await startStack();
try {
  const token = await stack.issuer!.sign({ sub: 'bench-admin', role: 'ADMIN' });
  for (let i = 0; i < Number(values.products); i++) {
    await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        input: {
          name: `Bench product ${i}`,
          price: { amount: 100 + (i % 50) * 10, currency: 'EUR' },
          stock: i % 4,
          category: ['a', 'b', 'c'][i % 3],
        },
      },
      { authorization: `Bearer ${token}` },
    );
  }
  const query = `query Bench($after: String) { products(first: 20, after: $after, sort: PRICE_ASC, filter: { inStock: true }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name price { amount currency } } } } }`;

  const run = async (count: number, url = stack.gatewayUrl) => {
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        const started = performance.now();
        const res = await graphqlRequest(url, query);
        latencies.push(performance.now() - started);
        if (res.errors) errors++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, errors };
  };

  await run(Math.min(200, total)); // warm-up: JIT, connection pools, query plan cache
  const direct = await run(Math.min(500, total), `${stack.subgraphs['products']!.url}/graphql`);
  const { latencies, seconds, errors } = await run(total);
  const pct = (p: number) => percentile(latencies, p).toFixed(1);
  const mem = process.memoryUsage();
  console.log(`catalog query through the gateway (${total} requests, concurrency ${concurrency}, ${values.products} products)`);
  console.log(`  throughput   ${(total / seconds).toFixed(0)} req/s`);
  console.log(`  latency      p50 ${pct(50)} ms   p95 ${pct(95)} ms   p99 ${pct(99)} ms`);
  console.log(`  errors       ${errors}`);
  const directP50 = percentile(direct.latencies, 50).toFixed(1);
  console.log(
    `  products subgraph alone: ${(direct.latencies.length / direct.seconds).toFixed(0)} req/s, p50 ${directP50} ms (the gateway's share is the difference)`,
  );
  console.log(
    `  memory       rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB   heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB (gateway + products + client in one process)`,
  );
} finally {
  await stack.close();
}
