import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where scripts/tools.sh installs the pinned FerretDB and Mailpit. */
const toolsBin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../.tools/bin');

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Waits until `port` on 127.0.0.1 accepts connections (`up`) or refuses them. */
export async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((r) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.once('error', () => r(false));
    });
    if (open === up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not become ${up ? 'reachable' : 'free'}`);
}

/** A server process of one test's own, on loopback, that the test may stop and start again. */
export interface PrivateServer {
  /** `extraArgs` are added to the server's own for this run (e.g. to restart it configured differently). */
  start(extraArgs?: string[]): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

function privateServer(bin: string, args: string[], ports: number[], dir: string, env?: Record<string, string>): PrivateServer {
  let child: ChildProcess | null = null;
  const server: PrivateServer = {
    async start(extraArgs: string[] = []) {
      const started = spawn(join(toolsBin, bin), [...args, ...extraArgs], {
        stdio: 'ignore',
        ...(env ? { env: { ...process.env, ...env } } : {}),
      });
      child = started;
      const failed = new Promise<never>((_, reject) =>
        started.once('error', (error) =>
          reject(new Error(`cannot start ${bin} (run \`npm test\`, which installs it): ${error.message}`)),
        ),
      );
      await Promise.race([Promise.all(ports.map((port) => waitForPort(port, true))), failed]);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
      await Promise.all(ports.map((port) => waitForPort(port, false)));
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A Mailpit of the test's own; its mail survives restarts. `--max 0`: Mailpit otherwise prunes to
 * its newest 500 messages about a minute after they arrive, which a test counting more would see.
 */
export async function privateMailpit(): Promise<PrivateServer & { smtpUrl: string; apiUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-mailpit-'));
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const args = [
    '--smtp',
    `127.0.0.1:${smtpPort}`,
    '--listen',
    `127.0.0.1:${httpPort}`,
    '--database',
    join(dir, 'mailpit.db'),
    '--max',
    '0',
    '--disable-version-check',
  ];
  return {
    ...privateServer('mailpit', args, [smtpPort, httpPort], dir),
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl: `http://127.0.0.1:${httpPort}`,
  };
}

/** A FerretDB (SQLite backend) of the test's own; its data survives restarts. */
export async function privateFerretDb(): Promise<PrivateServer & { uri: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-ferretdb-'));
  const port = await freePort();
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dir}/`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ];
  return { ...privateServer('ferretdb', args, [port], dir), uri: `mongodb://127.0.0.1:${port}` };
}

/** A Jaeger trace as its query API returns it (`GET /api/traces/<traceId>`), the fields tests read. */
export interface JaegerTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    references: { refType: string; traceID: string; spanID: string }[];
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

/**
 * A Jaeger (v2 all-in-one, in memory) of the test's own, from infra/jaeger/local.yaml on free
 * loopback ports: OTLP/HTTP at `otlpUrl`, the query API and UI at `queryUrl`.
 */
export async function privateJaeger(): Promise<
  PrivateServer & { otlpUrl: string; queryUrl: string; trace(traceId: string): Promise<JaegerTrace | undefined> }
> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-jaeger-'));
  const [otlpHttp, otlpGrpc, ui, queryGrpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const config = resolve(toolsBin, '../../infra/jaeger/local.yaml');
  const env = {
    JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
    JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
    JAEGER_UI_PORT: String(ui),
    JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
    JAEGER_MAX_TRACES: '10000',
    // The trace viewer `npm run dev` serves (the Go module ships no built UI).
    JAEGER_UI_ASSETS: resolve(toolsBin, '../../infra/jaeger/ui'),
  };
  const queryUrl = `http://127.0.0.1:${ui}`;
  return {
    ...privateServer('jaeger', ['--config', `file:${config}`], [otlpHttp, ui], dir, env),
    otlpUrl: `http://127.0.0.1:${otlpHttp}`,
    queryUrl,
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`jaeger query answered ${res.status}`);
      const body = (await res.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
  };
}
