import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the cluster tests (npm run test:cluster) share: kubectl and helm against the local cluster
 * of scripts/cluster.sh, a loopback entry point to a Service, and a bounded load generator.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = join(ROOT, 'helm/little-ecom');
const KUBECONFIG = process.env['KUBECONFIG'] ?? '/var/lib/little-ecom-cluster/admin.kubeconfig';
const KUBECTL = join(ROOT, '.tools/cluster/bin/kubectl');
const HELM = join(ROOT, '.tools/bin/helm');

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** kubectl and helm see the test cluster, and helm keeps its cache and config out of the user's. */
const toolEnv = () => ({
  ...process.env,
  KUBECONFIG,
  HELM_CACHE_HOME: '/tmp/little-ecom-cluster-helm/cache',
  HELM_CONFIG_HOME: '/tmp/little-ecom-cluster-helm/config',
  HELM_DATA_HOME: '/tmp/little-ecom-cluster-helm/data',
});

function runTool(path: string, args: string[], timeoutMs: number): Result {
  const result = spawnSync(path, args, {
    encoding: 'utf8',
    env: toolEnv(),
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${path} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** kubectl; throws with its stderr unless it succeeds. */
export function kubectl(args: string[], timeoutMs = 120_000): string {
  const result = runTool(KUBECTL, args, timeoutMs);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

export function kubectlJson<T>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

/** helm, without throwing: tests assert on the status and show the output. */
export function helm(args: string[], timeoutMs = 15 * 60_000): Result {
  return runTool(HELM, args, timeoutMs);
}

/** kubectl in the background, for commands that must overlap with a load (helm upgrade is run this way too). */
export function background(tool: 'helm' | 'kubectl', args: string[], timeoutMs: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool === 'helm' ? HELM : KUBECTL, args, {
      env: toolEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stdout, stderr });
    });
  });
}

/** Polls `check` every `intervalMs` until it returns a value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what} did not happen within ${timeoutMs / 1000}s${lastError instanceof Error ? `: ${String(lastError)}` : lastError ? `: ${JSON.stringify(lastError)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// The cluster's service range (scripts/cluster.sh SERVICE_CIDR): the only non-loopback addresses the
// entry point connects to; they exist only in this node's kube-proxy rules and route to its bridge.
const SERVICE_PREFIX = '10.96.0.';

/**
 * An entry point on 127.0.0.1 for a Service: each connection is relayed to the Service's ClusterIP,
 * so kube-proxy picks a ready endpoint per connection, as a NodePort would (kube-proxy's nftables
 * mode serves no NodePorts on loopback, and `kubectl port-forward` pins one pod, which a rolling
 * update removes). The test's own traffic goes to loopback only.
 */
export async function loopbackEntry(
  namespace: string,
  service: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const clusterIp = kubectl(['get', 'service', service, '-n', namespace, '-o', 'jsonpath={.spec.clusterIP}']).trim();
  if (!clusterIp.startsWith(SERVICE_PREFIX))
    throw new Error(`Service ${namespace}/${service} has ClusterIP ${clusterIp}, outside ${SERVICE_PREFIX}0/24`);
  const server: Server = createServer((client) => {
    const upstream = connect({ host: clusterIp, port });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface GraphqlResult<T> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** One POST on a fresh connection (no keep-alive): every request is routed anew by kube-proxy. */
export function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 10_000,
): Promise<GraphqlResult<T>> {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'apollo-require-preflight': 'true',
          connection: 'close',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as GraphqlResult<T>['body'] });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] } });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface LoadReport {
  requests: number;
  failed: number;
  failures: string[];
}

/**
 * A bounded load on the gateway: `workers` loops, each sending one request after the other, until
 * `stop()` or `maxRequests` in total or `maxMs`, whichever comes first. A request fails on a
 * network error, a non-200 status or any GraphQL error.
 */
export function startLoad(
  send: () => Promise<GraphqlResult<unknown>>,
  { workers = 4, maxRequests = 50_000, maxMs = 10 * 60_000 } = {},
) {
  const report: LoadReport = { requests: 0, failed: 0, failures: [] };
  const deadline = Date.now() + maxMs;
  let stopped = false;
  const worker = async () => {
    while (!stopped && report.requests < maxRequests && Date.now() < deadline) {
      report.requests++;
      try {
        const { status, body } = await send();
        if (status !== 200 || body.errors?.length) {
          report.failed++;
          if (report.failures.length < 20) report.failures.push(`${status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
        }
      } catch (error) {
        report.failed++;
        if (report.failures.length < 20) report.failures.push(String(error));
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    report,
    stop: async () => {
      stopped = true;
      await done;
      return report;
    },
  };
}
