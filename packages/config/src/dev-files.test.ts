import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readOrCreateDevFile } from './dev-files.js';

const fixture = fileURLToPath(new URL('./dev-files.fixture.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dev-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function race(raceDir: string, startAt: number, rounds: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, raceDir, String(startAt), String(rounds)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exit ${code}`))));
  });
}

describe('readOrCreateDevFile', () => {
  it('creates the file once, private, and reads it afterwards', () => {
    const file = join(dir, 'once', 'key');
    expect(readOrCreateDevFile(file, () => 'first')).toBe('first');
    expect(readOrCreateDevFile(file, () => 'second')).toBe('first');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'once'))).toEqual(['key']);
  });

  it('gives processes starting at once the same, whole content', async () => {
    // The fault this guards against: with an exclusive create followed by a write, another process
    // could read the file between the two and see it empty or cut short. Six processes, eight rounds.
    const raceDir = join(dir, 'raced');
    const [rounds, startAt] = [8, Date.now() + 3000];
    const seen = await Promise.all(Array.from({ length: 6 }, () => race(raceDir, startAt, rounds)));
    for (let round = 0; round < rounds; round += 1) {
      const onDisk = readFileSync(join(raceDir, `key-${round}`), 'utf8');
      expect(onDisk.length).toBe(37 * 200_000);
      expect(new Set(seen.map((perProcess) => perProcess[round]))).toEqual(new Set([`${onDisk.length}:${onDisk.slice(0, 36)}`]));
    }
    expect(readdirSync(raceDir)).toHaveLength(rounds);
  });
});
