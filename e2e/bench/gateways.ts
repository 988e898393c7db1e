// Gateway comparison: `npm run bench:gateway [-- --seconds 5 --rounds 3 --concurrency 10 --static-concurrency 50]`.
//
// Starts the subgraphs once per workload, then three gateways on the same supergraph, each as its own
// child process so CPU time and peak RSS are per gateway: ours (gateway/dist/main.js, response cache
// off, and again with it on for the anonymous catalog query), stock @apollo/gateway 2.14.4, and
// @graphql-hive/gateway with its defaults (JS planner). Rounds are interleaved (ours, stock, Hive, then
// rotated) so drift on a shared machine hits all alike. Loopback only; every loop ends by the clock.
//
// CPU ms/request is the gateway process tree's own user+system time (/proc/<pid>/stat) during the
// measured seconds, divided by the requests answered; peak RSS is the tree's VmHWM at the end.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateGatewaySigningKey } from '@little-ecom/auth';
import { boundedArg, freePort, percentile } from '@little-ecom/testing';
import {
  children,
  closeAgent,
  firstJsonLine,
  interleavedRounds,
  peakRssMb,
  repoRoot,
  resetAgent,
  roundsOptions,
  roundsSettings,
  startChild,
  stopAll,
  totals,
  tsx,
  waitServing,
  type Running,
  type Sample,
  type Workload,
} from './support.js';

const { values } = parseArgs({
  options: {
    ...roundsOptions('10'),
    'static-concurrency': { type: 'string', default: '50' },
    workloads: { type: 'string', default: 'storefront,static' },
  },
});
const { seconds, rounds, concurrency } = roundsSettings(values);
const staticConcurrency = boundedArg(values['static-concurrency'], 1, 256);
const workloads = new Set(values.workloads.split(','));

// Our gateway runs as in production: `node gateway/dist/main.js` over the built packages (turbo
// builds them first, from its cache when nothing changed), so no TypeScript loader weighs on its memory.
execFileSync('npx', ['turbo', 'run', 'build', '--filter=@little-ecom/gateway...', '--output-logs=errors-only'], {
  cwd: repoRoot,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const gatewayMain = join(repoRoot, 'gateway', 'dist', 'main.js');
const GATEWAY_NODE_OPTIONS = /^ {4}NODE_OPTIONS: (.+)$/m.exec(
  readFileSync(join(repoRoot, 'helm/little-ecom/values.yaml'), 'utf8'),
)![1]!;

async function startGateways(supergraphPath: string, urls: Record<string, string>, withCached: boolean): Promise<Running[]> {
  const subgraphEnv = Object.fromEntries(Object.entries(urls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
  const common = { NODE_ENV: 'production', SUPERGRAPH_PATH: supergraphPath };
  // Ours signs every subgraph request in production (the subgraphs here accept unsigned ones too), and
  // runs with the chart's NODE_OPTIONS for the gateway (helm/little-ecom/values.yaml, gateway.env).
  const signing = { GATEWAY_SIGNING_KEY: generateGatewaySigningKey(), NODE_OPTIONS: GATEWAY_NODE_OPTIONS };
  const specs: { name: string; args: (port: number) => string[]; env: Record<string, string> }[] = [
    {
      name: 'ours',
      args: () => [gatewayMain],
      env: { ...subgraphEnv, ...signing, LOG_LEVEL: 'warn', RESPONSE_CACHE: 'false' },
    },
    ...(withCached
      ? [
          {
            name: 'ours+cache',
            args: () => [gatewayMain],
            env: { ...subgraphEnv, ...signing, LOG_LEVEL: 'warn', RESPONSE_CACHE: 'true' },
          },
        ]
      : []),
    { name: 'stock apollo', args: () => [...tsx, 'bench/stock-apollo-gateway.ts'], env: {} },
    {
      name: 'hive (js)',
      args: (port) => [
        join(repoRoot, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
        'supergraph',
        supergraphPath,
        '--config-path',
        'bench/hive-gateway.config.ts',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--fork',
        '1',
      ],
      env: {},
    },
  ];
  const running: Running[] = [];
  for (const spec of specs) {
    const port = await freePort();
    const child = startChild(spec.name, process.execPath, spec.args(port), {
      ...common,
      ...spec.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    child.stdout!.resume();
    const url = `http://127.0.0.1:${port}/graphql`;
    running.push({ name: spec.name, url, child });
  }
  for (const gw of running) await waitServing(gw.url, 60_000);
  return running;
}

async function runWorkloads(gateways: Running[], list: { workload: Workload; gateways: string[] }[]): Promise<void> {
  for (const { workload, gateways: names } of list) {
    const targets = gateways.filter((g) => names.includes(g.name));
    const samples = await interleavedRounds(targets, workload, { rounds, seconds });
    report(workload, targets, samples);
  }
}

function report(workload: Workload, targets: Running[], samples: Map<string, Sample[]>): void {
  const rows = targets.map((gw) => {
    const { rps, cpu, latencies, errors } = totals(samples.get(gw.name)!);
    return {
      name: gw.name,
      rps,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      cpu,
      rss: peakRssMb(gw.child.pid!),
      errors,
    };
  });
  const ours = rows.find((r) => r.name === 'ours')!;
  console.log(`\n${workload.name}: concurrency ${workload.concurrency}, ${rounds} interleaved rounds of ${seconds} s`);
  console.log(
    '| gateway | RPS | p50 ms | p95 ms | p99 ms | CPU ms/req | peak RSS MB | errors | ours RPS ÷ theirs | their CPU ÷ ours |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r === ours ? '—' : `${(ours.rps / r.rps).toFixed(2)}×`;
    const cpuRatio = r === ours ? '—' : `${(r.cpu / ours.cpu).toFixed(2)}×`;
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpu.toFixed(2)} | ${r.rss.toFixed(0)} | ${r.errors} | ${ratio} | ${cpuRatio} |`,
    );
  }
}

const PRODUCTS_QUERY = JSON.stringify({
  query:
    'query Catalog { products(first: 20) { totalCount edges { node { id name price { amount currency } inStock category } } } }',
});
const ME_QUERY = JSON.stringify({
  query:
    'query MyNotifications { me { id notifications(first: 10) { edges { node { id kind subject product { id name price { amount currency } } } } } } }',
});
const STATIC_QUERY = JSON.stringify({
  query: `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`,
});

try {
  console.log(
    `gateway benchmark on ${process.platform}, Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`,
  );
  if (workloads.has('storefront')) {
    const host = startChild('storefront subgraphs', process.execPath, [...tsx, 'bench/storefront-subgraphs.ts']);
    const { supergraphPath, urls, token } = await firstJsonLine<{
      supergraphPath: string;
      urls: Record<string, string>;
      token: string;
    }>(host, 120_000);
    const gateways = await startGateways(supergraphPath, urls, true);
    const all = ['ours', 'stock apollo', 'hive (js)'];
    await runWorkloads(gateways, [
      {
        workload: {
          name: 'storefront products(first:20), anonymous',
          body: PRODUCTS_QUERY,
          headers: {},
          concurrency,
          expect: '"totalCount":60',
        },
        gateways: all,
      },
      {
        workload: {
          name: 'storefront me { notifications { … product } }',
          body: ME_QUERY,
          headers: { authorization: `Bearer ${token}` },
          concurrency,
          expect: 'bench product',
        },
        gateways: all,
      },
      {
        workload: {
          name: 'storefront products(first:20), anonymous, response cache on',
          body: PRODUCTS_QUERY,
          headers: {},
          concurrency,
          expect: '"totalCount":60',
        },
        gateways: ['ours', 'ours+cache', 'hive (js)'],
      },
    ]);
    await stopAll(gateways.map((g) => g.child));
    await stopAll([host]);
  }
  if (workloads.has('static')) {
    resetAgent();
    const host = startChild('static subgraphs', process.execPath, [...tsx, 'bench/static-subgraphs.ts']);
    const { supergraphPath, urls } = await firstJsonLine<{ supergraphPath: string; urls: Record<string, string> }>(host, 60_000);
    const gateways = await startGateways(supergraphPath, urls, false);
    await runWorkloads(gateways, [
      {
        workload: {
          name: 'static federation (4 cheap subgraphs, nested query)',
          body: STATIC_QUERY,
          headers: {},
          concurrency: staticConcurrency,
          expect: 'shippingEstimate',
        },
        gateways: ['ours', 'stock apollo', 'hive (js)'],
      },
    ]);
    await stopAll(gateways.map((g) => g.child));
    await stopAll([host]);
  }
} finally {
  closeAgent();
  await stopAll(children);
}
