import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from '@little-ecom/testing';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/tools.js';

/**
 * What the gateway image does, without Docker: build, install production dependencies only for the
 * workspace into a clean directory (`npm ci --omit=dev --workspace`), copy the compiled output next to
 * them, and start it with the image's command, `node dist/main.js`. It must serve GraphQL from the
 * committed supergraph and exit cleanly on SIGTERM. (The subgraphs' images have the same layout;
 * their production dependencies are checked statically in images.test.ts.)
 */
const work = mkdtempSync(join(tmpdir(), 'little-ecom-prod-'));

function sh(file: string, args: string[], cwd: string) {
  const result = spawnSync(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Every workspace manifest and the lockfile: what the image's deps stage copies. */
function copyManifests(to: string) {
  const skip = new Set(['node_modules', '.git', '.tools', '.data', '.turbo', 'dist']);
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !skip.has(entry.name)) visit(join(dir, entry.name));
      else if (entry.isFile() && entry.name === 'package.json') {
        const target = join(to, relative(ROOT, join(dir, entry.name)));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(dir, entry.name), target);
      }
    }
  };
  visit(ROOT);
  cpSync(join(ROOT, 'package-lock.json'), join(to, 'package-lock.json'));
}

/** The workspace packages the gateway needs at runtime: its production dependency closure. */
function productionWorkspaces(dir: string, seen = new Set<string>()): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };
  seen.add(pkg.name);
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (dep.startsWith('@little-ecom/') && !seen.has(dep))
      productionWorkspaces(`packages/${dep.slice('@little-ecom/'.length)}`, seen);
  }
  return seen;
}

beforeAll(() => {
  // Only what the image needs (turbo's ^build would also follow the gateway's test-only devDependencies).
  const filters = [...productionWorkspaces('gateway')].map((name) => `--filter=${name}`);
  sh('npx', ['turbo', 'run', 'build', '--only', ...filters, '--output-logs=errors-only'], ROOT);
  copyManifests(work);
  sh(
    'npm',
    ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--workspace=@little-ecom/gateway'],
    work,
  );
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const dist = join(ROOT, 'packages', pkg, 'dist');
    if (existsSync(dist)) cpSync(dist, join(work, 'packages', pkg, 'dist'), { recursive: true });
  }
  cpSync(join(ROOT, 'gateway/dist'), join(work, 'gateway/dist'), { recursive: true });
  cpSync(join(ROOT, 'gateway/supergraph.graphql'), join(work, 'gateway/supergraph.graphql'));
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('gateway production start (node dist/main.js after npm ci --omit=dev)', () => {
  it('has no development dependencies installed', () => {
    for (const dev of ['typescript', 'vitest', 'tsx', 'eslint', '@graphql-codegen/cli']) {
      expect(existsSync(join(work, 'node_modules', dev)), dev).toBe(false);
    }
    expect(existsSync(join(work, 'node_modules/@apollo/gateway'))).toBe(true);
  });

  it('serves GraphQL from the committed supergraph and drains on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('node', ['dist/main.js'], {
      cwd: join(work, 'gateway'),
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_MS: '5000',
        // Production refuses to start without the key it signs subgraph requests with.
        GATEWAY_SIGNING_KEY: randomBytes(32).toString('base64url'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const health = await fetch(`${base}/healthz`).catch(() => undefined);
        if (health?.status === 200) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code, output).toBe(0);
  });
});
