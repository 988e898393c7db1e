// Cost of tracing at the gateway: `npm run bench:tracing [-- --seconds 5 --rounds 3 --concurrency 50]`.
//
// Three of our gateways (gateway/src/main.ts) as child processes on the same supergraph of four cheap
// static subgraphs: tracing off, on with ratio 1.0 and on with ratio 0.1, both exporting over OTLP
// to a private Jaeger (real export, real batching). Rounds are interleaved so drift on a shared
// machine hits all alike. Prints throughput and CPU ms per request of each gateway process and the
// throughput ratio to tracing off; the run fails when ratio 0.1 costs 10 % or more of the gateway's
// capacity (requests per CPU second: measured RPS on a shared machine also moves with the neighbours).
// Loopback only; every loop ends by the clock.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateGatewaySigningKey } from '@little-ecom/auth';
import { freePort, percentile } from '@little-ecom/testing';
import { privateJaeger } from '@little-ecom/testing/processes';
import {
  children,
  closeAgent,
  firstJsonLine,
  interleavedRounds,
  repoRoot,
  roundsOptions,
  roundsSettings,
  startChild,
  stopAll,
  totals,
  tsx,
  waitServing,
  type Running,
  type Workload,
} from './support.js';

const { seconds, rounds, concurrency } = roundsSettings(parseArgs({ options: roundsOptions('50') }).values);
const gatewayMain = join(repoRoot, 'gateway', 'src', 'main.ts');

// The nested static federation query: several subgraph fetches (and so spans) per request.
const QUERY = JSON.stringify({
  query: `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User } } } } }
  topProducts { ...Product reviews { ...Review author { ...User } } }
}`,
});
const workload: Workload = { name: 'static federation', body: QUERY, headers: {}, concurrency, expect: 'shippingEstimate' };

const jaeger = await privateJaeger();
try {
  console.log(
    `tracing benchmark on ${process.platform}, Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`,
  );
  await jaeger.start();
  const host = startChild('static subgraphs', process.execPath, [...tsx, 'bench/static-subgraphs.ts']);
  const { supergraphPath, urls } = await firstJsonLine<{ supergraphPath: string; urls: Record<string, string> }>(host, 60_000);
  const subgraphEnv = Object.fromEntries(Object.entries(urls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
  const variants: { name: string; env: Record<string, string> }[] = [
    { name: 'tracing off', env: {} },
    { name: 'tracing 1.0', env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_TRACES_SAMPLER_ARG: '1' } },
    { name: 'tracing 0.1', env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_TRACES_SAMPLER_ARG: '0.1' } },
  ];
  // Production settings need a real signing key for subgraph requests (the static subgraphs ignore it).
  const gatewayKey = generateGatewaySigningKey();
  const gateways: Running[] = [];
  for (const variant of variants) {
    const port = await freePort();
    const child = startChild(variant.name, process.execPath, [...tsx, gatewayMain], {
      ...subgraphEnv,
      ...variant.env,
      NODE_ENV: 'production',
      GATEWAY_SIGNING_KEY: gatewayKey,
      SUPERGRAPH_PATH: supergraphPath,
      LOG_LEVEL: 'warn',
      RESPONSE_CACHE: 'false',
      SUBGRAPH_DEDUP: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    child.stdout!.resume();
    gateways.push({ name: variant.name, url: `http://127.0.0.1:${port}/graphql`, child });
  }
  for (const gw of gateways) await waitServing(gw.url, 60_000);
  const samples = await interleavedRounds(gateways, workload, { rounds, seconds });

  const rows = gateways.map((gw) => {
    const { rps, cpu, latencies, errors } = totals(samples.get(gw.name)!);
    return { name: gw.name, rps, cpu, p95: percentile(latencies, 95), errors };
  });
  const off = rows[0]!;
  console.log(
    `\n${workload.name}: concurrency ${concurrency}, ${rounds} interleaved rounds of ${seconds} s; spans to a private Jaeger`,
  );
  console.log('| gateway | RPS | CPU ms/req | p95 ms | errors | RPS ÷ tracing off | CPU ÷ tracing off |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.cpu.toFixed(2)} | ${r.p95.toFixed(1)} | ${r.errors} | ${(r.rps / off.rps).toFixed(3)} | ${(r.cpu / off.cpu).toFixed(3)} |`,
    );
  const tenth = rows[2]!;
  const measured = 1 - tenth.rps / off.rps;
  // Capacity per CPU: on a shared machine the measured RPS moves with the neighbours' load, the
  // gateway's own CPU time per request does not; the budget is judged on that.
  const capacity = 1 - off.cpu / tenth.cpu;
  const change = (fraction: number) => `${(Math.abs(fraction) * 100).toFixed(1)} % ${fraction >= 0 ? 'lower' : 'higher'}`;
  console.log(
    `\ntracing at ratio 0.1: measured throughput ${change(measured)} than off; capacity per CPU ${change(capacity)} (budget: under 10 % lower)`,
  );
  if (capacity >= 0.1 || rows.some((r) => r.errors > 0)) process.exitCode = 1;
  await stopAll(gateways.map((g) => g.child));
  await stopAll([host]);
} finally {
  closeAgent();
  await stopAll(children);
  await jaeger.dispose();
}
