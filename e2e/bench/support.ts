// What the benchmarks share: child processes reporting readiness, per-process-tree CPU and memory
// from /proc, a keep-alive HTTP client, a closed-loop load of one GraphQL request, and interleaved rounds of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundedArg } from '@little-ecom/testing';

/** Bench scripts run from the e2e workspace. */
export const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(e2eDir, '..');
export const tsx = ['--import', 'tsx', '--conditions=source'];
const CLK_TCK = 100; // Linux USER_HZ
export const children: ChildProcess[] = [];

export function startChild(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, { cwd: e2eDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4_000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL')
      console.error(`${name} exited (${code ?? signal}):\n${stderr}`);
  });
  return child;
}

/** Waits (bounded) for the child's first stdout line that parses as JSON. */
export function firstJsonLine<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('child did not report ready in time')), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as T;
          clearTimeout(timer);
          resolvePromise(parsed);
          return;
        } catch {
          // a log line, or a partial one; keep reading
        }
      }
    });
    child.once('exit', () => reject(new Error('child exited before reporting ready')));
  });
}

export interface Running {
  name: string;
  url: string;
  child: ChildProcess;
}

export async function waitServing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await post(url, '{"query":"{ __typename }"}', {}).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start serving in time`);
}

/** All pids in the tree rooted at `root` (Hive may fork workers). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

export function cpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // ended
    }
  }
  return (ticks * 1000) / CLK_TCK;
}

export function peakRssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return kb / 1024;
}

export let agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

/** A fresh keep-alive agent (between workloads, so sockets to stopped servers are not reused). */
export function resetAgent(): void {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
}

export interface Workload {
  name: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  /** A response counts as good when it has this substring and no `"errors"`. */
  expect: string;
}

export interface Sample {
  requests: number;
  errors: number;
  seconds: number;
  cpuMs: number;
  latencies: number[];
}

export async function load(gw: Running, workload: Workload, durationS: number): Promise<Sample> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuMs(gw.child.pid!);
  const started = performance.now();
  const end = started + durationS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await post(gw.url, workload.body, workload.headers);
        if (res.status !== 200 || res.body.includes('"errors"') || !res.body.includes(workload.expect)) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: workload.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { requests: latencies.length, errors, seconds: elapsed, cpuMs: cpuMs(gw.child.pid!) - cpuBefore, latencies };
}

/** The `parseArgs` options of the benches that time gateways in rounds: `--seconds`, `--rounds`, `--concurrency`. */
export const roundsOptions = (concurrency: string) =>
  ({
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: concurrency },
  }) as const;

export function roundsSettings(values: { seconds: string; rounds: string; concurrency: string }) {
  return {
    seconds: boundedArg(values.seconds, 1, 60),
    rounds: boundedArg(values.rounds, 1, 10),
    concurrency: boundedArg(values.concurrency, 1, 256),
  };
}

/**
 * Times `workload` on every gateway in `rounds` interleaved rounds of `seconds`, rotated each round so
 * drift on a shared machine hits all alike; first each must answer it right, then a warm-up (JIT,
 * plan caches, sockets). The samples of each gateway, by name.
 */
export async function interleavedRounds(
  gateways: Running[],
  workload: Workload,
  { rounds, seconds }: { rounds: number; seconds: number },
): Promise<Map<string, Sample[]>> {
  for (const gw of gateways) {
    const res = await post(gw.url, workload.body, workload.headers);
    if (res.status !== 200 || res.body.includes('"errors"') || !res.body.includes(workload.expect)) {
      throw new Error(`${gw.name} answered ${workload.name} wrongly (${res.status}): ${res.body.slice(0, 400)}`);
    }
  }
  for (const gw of gateways) await load(gw, workload, Math.min(2, seconds));
  const samples = new Map<string, Sample[]>(gateways.map((g) => [g.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = gateways.map((_, i) => gateways[(i + round) % gateways.length]!);
    for (const gw of order) samples.get(gw.name)!.push(await load(gw, workload, seconds));
  }
  return samples;
}

/** One gateway's samples summed up: requests per second, CPU ms per request, latencies (sorted), errors. */
export function totals(list: Sample[]) {
  const requests = list.reduce((n, s) => n + s.requests, 0);
  return {
    rps: requests / list.reduce((n, s) => n + s.seconds, 0),
    cpu: list.reduce((n, s) => n + s.cpuMs, 0) / requests,
    latencies: list.flatMap((s) => s.latencies).sort((a, b) => a - b),
    errors: list.reduce((n, s) => n + s.errors, 0),
  };
}

export async function stopAll(list: ChildProcess[]): Promise<void> {
  await Promise.all(
    list.map(
      (child) =>
        new Promise<void>((resolvePromise) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolvePromise();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
