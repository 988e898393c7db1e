import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort, type PrivateServer } from './processes.js';

const run = promisify(execFile);

/** Where the Debian/Ubuntu `rabbitmq-server` package puts the real scripts (the /usr/sbin ones `su` to the rabbitmq user). */
const RABBITMQ_BIN = process.env['RABBITMQ_BIN_DIR'] || '/usr/lib/rabbitmq/bin';

export interface PrivateRabbitMq extends PrivateServer {
  /** `amqp://guest:guest@127.0.0.1:<port>` */
  url: string;
  port: number;
  nodename: string;
  /** Stops the node's process (SIGTERM, a clean shutdown) and starts it again on the same data: a broker restart. */
  restart(): Promise<void>;
  /** Runs `rabbitmqctl <args>` against this node only (e.g. `stop_app`, `start_app`, `list_queues`). */
  ctl(...args: string[]): Promise<string>;
  /** Milliseconds the last `start()` took until the AMQP port answered. */
  readonly lastStartMs: number;
}

/**
 * A RabbitMQ node of the test's own, started from the installed `rabbitmq-server`: unique node name,
 * its own AMQP and distribution ports on loopback, data, logs and Erlang cookie under a temp dir,
 * no plugins (no management), so it boots in a few seconds and can be stopped, restarted or broken
 * without touching the machine's shared broker. It registers with the epmd already running on the
 * machine (epmd keys nodes by name, so any number of nodes share it); if none runs, the node starts
 * one on 127.0.0.1, which outlives the test like any epmd.
 */
export async function privateRabbitMq(): Promise<PrivateRabbitMq> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-rabbitmq-'));
  const [port, distPort] = [await freePort(), await freePort()];
  const nodename = `le-test-${randomUUID().slice(0, 8)}@localhost`;
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [`listeners.tcp.default = 127.0.0.1:${port}`, 'log.console = false', 'log.file.level = warning', ''].join('\n'),
  );
  // An empty env file, so /etc/rabbitmq/rabbitmq-env.conf (the shared node's name) is not read.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  // Erlang reads the cookie from $HOME; our own keeps rabbitmqctl away from other nodes.
  writeFileSync(join(dir, '.erlang.cookie'), randomUUID().replace(/-/g, ''), { mode: 0o400 });
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  let child: ChildProcess | null = null;
  let lastStartMs = 0;

  const node: PrivateRabbitMq = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    nodename,
    get lastStartMs() {
      return lastStartMs;
    },
    async start() {
      const started = Date.now();
      // Its own process group: the script and the Erlang VM under it are signalled together.
      const spawned = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], { env, stdio: 'ignore', cwd: dir, detached: true });
      child = spawned;
      // A test process that dies without stopping the node must not leave a broker behind.
      const onExit = () => signal(spawned, 'SIGTERM');
      process.once('exit', onExit);
      spawned.once('exit', () => process.off('exit', onExit));
      const failed = new Promise<never>((_, reject) => {
        spawned.once('error', (error) =>
          reject(new Error(`cannot start rabbitmq-server from ${RABBITMQ_BIN}: ${error.message}`)),
        );
        spawned.once('exit', (code) =>
          reject(new Error(`rabbitmq-server ${nodename} exited with ${String(code)} while starting; logs in ${dir}/log`)),
        );
      });
      failed.catch(() => undefined);
      await Promise.race([waitForPort(port, true, 60_000), failed]);
      lastStartMs = Date.now() - started;
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      signal(running, 'SIGTERM');
      const killTimer = setTimeout(() => signal(running, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(killTimer);
      await waitForPort(port, false, 30_000);
    },
    async restart() {
      await node.stop();
      await node.start();
    },
    async ctl(...args) {
      const { stdout } = await run(join(RABBITMQ_BIN, 'rabbitmqctl'), ['-n', nodename, ...args], { env, timeout: 60_000 });
      return stdout;
    },
    async dispose() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

/** Signals the node's whole process group (the start script and the VM it runs). */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, name);
  } catch {
    // Already gone.
  }
}
