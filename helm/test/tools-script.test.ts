import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './support/tools.js';

/**
 * scripts/tools.sh builds the pinned local tools for `npm run dev`, `npm test` and the cluster scripts,
 * which can ask for the same tool at the same moment. Its locking and progress output are checked with
 * a stand-in `go` on PATH (a shell script that takes a second and counts its builds) and a private tools
 * folder, so no real build runs: two racing commands build a tool once, the Go toolchain's chatter stays
 * in the tool's log, and a failed build says so with the log's tail.
 */
let dir: string;

function fakeGo(exitCode: number): string {
  dir = mkdtempSync(join(tmpdir(), 'tools-script-'));
  const go = join(dir, 'go');
  writeFileSync(
    go,
    `#!/usr/bin/env bash
echo "go: downloading github.com/example/dependency v1.0.0"
echo build >>"${dir}/builds"
sleep 1
[[ ${exitCode} == 0 ]] || { echo "compile error: something broke"; exit ${exitCode}; }
printf '#!/bin/sh\\n' >"$GOBIN/kubeconform"
chmod +x "$GOBIN/kubeconform"
`,
  );
  chmodSync(go, 0o755);
  return dir;
}

function runTools(...tools: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(ROOT, 'scripts/tools.sh'), ...tools], {
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, TOOLS_DIR: join(dir, 'tools') },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/tools.sh', () => {
  it('builds a tool once when two commands ask for it at the same time, one progress line each', async () => {
    fakeGo(0);
    const [a, b] = await Promise.all([runTools('kubeconform'), runTools('kubeconform')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'builds'), 'utf8').trim().split('\n')).toHaveLength(1);
    const both = a.out + b.out;
    expect(both).toMatch(/kubeconform: ready \(\d+ s\)/);
    expect(both).toContain('another command is building it, waiting');
    expect(both).not.toContain('go: downloading');
    expect(readFileSync(join(dir, 'tools/logs/kubeconform.log'), 'utf8')).toContain('go: downloading');
    // Installed now: a third call builds nothing and prints nothing.
    const again = await runTools('kubeconform');
    expect(again).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dir, 'builds'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('fails with the build log when a build fails, and reports nothing as installed', async () => {
    fakeGo(1);
    const result = await runTools('kubeconform');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/kubeconform: build FAILED after \d+ s/);
    expect(result.out).toContain('compile error: something broke');
    const check = await runTools('--check', 'kubeconform');
    expect(check.code).toBe(1);
  });
});
