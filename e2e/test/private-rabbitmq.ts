import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@little-ecom/testing';

/** Where the Debian `rabbitmq-server` package keeps the real scripts (the /usr/sbin ones switch user). */
const RABBITMQ_BIN = process.env['RABBITMQ_BIN_DIR'] || '/usr/lib/rabbitmq/bin';

export interface PrivateRabbitMq {
  url: string;
  start(): Promise<void>;
  /** A clean stop and a start on the same data: durable queues and persistent messages survive. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A RabbitMQ node of the test's own from the installed rabbitmq-server: its own node name, ports on
 * loopback, data, logs and Erlang cookie in a temp dir, no plugins. The shared broker is never touched.
 * (A shared helper of this kind is coming to packages/testing; this file goes when it lands.)
 */
export async function privateRabbitMq(): Promise<PrivateRabbitMq> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-orders-rabbitmq-'));
  const [port, distPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nlog.console = false\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, '.erlang.cookie'), randomUUID().replace(/-/g, ''), { mode: 0o400 });
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: `le-orders-${randomUUID().slice(0, 8)}@localhost`,
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
  // The start script and the Erlang VM share a process group, signalled together.
  const signal = (c: ChildProcess, name: NodeJS.Signals) => {
    if (c.pid === undefined || c.exitCode !== null) return;
    try {
      process.kill(-c.pid, name);
    } catch {
      // already gone
    }
  };

  const node: PrivateRabbitMq = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async start() {
      const spawned = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], { env, stdio: 'ignore', cwd: dir, detached: true });
      child = spawned;
      const onExit = () => signal(spawned, 'SIGTERM');
      process.once('exit', onExit);
      spawned.once('exit', () => process.off('exit', onExit));
      const failed = new Promise<never>((_, reject) => {
        spawned.once('error', (e) => reject(new Error(`cannot start rabbitmq-server from ${RABBITMQ_BIN}: ${e.message}`)));
        spawned.once('exit', (code) => reject(new Error(`rabbitmq-server exited with ${String(code)}; logs in ${dir}/log`)));
      });
      failed.catch(() => undefined);
      await Promise.race([waitForPort(port, true, 60_000), failed]);
    },
    async restart() {
      const running = child;
      child = null;
      if (running && running.exitCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        signal(running, 'SIGTERM');
        const kill = setTimeout(() => signal(running, 'SIGKILL'), 30_000);
        await exited;
        clearTimeout(kill);
        await waitForPort(port, false, 30_000);
      }
      await node.start();
    },
    async dispose() {
      const running = child;
      child = null;
      if (running && running.exitCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        signal(running, 'SIGTERM');
        const kill = setTimeout(() => signal(running, 'SIGKILL'), 30_000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}
