import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_LIST, SUBGRAPHS } from './support/service-list.js';
import { ROOT } from './support/tools.js';

// The gateway, every subgraph of subgraphs.json, then the storefront's static server, in that order.
const SERVICES = [
  { name: 'gateway', dir: 'gateway', port: SERVICE_LIST.gateway.port },
  ...SUBGRAPHS.map((s) => ({ name: s.name, dir: `subgraphs/${s.name}`, port: s.port })),
  { name: 'web', dir: 'web', port: 8080 },
];

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The `"<name> <dir> <port>"` entries of LITTLE_ECOM_SERVICES, as the build scripts see it after sourcing infra/docker/services.sh. */
function serviceTable(): { name: string; dir: string; port: number }[] {
  const lines = execFileSync('bash', ['-c', 'source infra/docker/services.sh && printf "%s\\n" "${LITTLE_ECOM_SERVICES[@]}"'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return lines
    .trim()
    .split('\n')
    .map((line) => {
      const [name, dir, port] = line.split(' ');
      return { name: name!, dir: dir!, port: Number(port) };
    });
}

/** Runtime imports (type-only imports are erased by tsc) of the non-test sources under `dir`. */
function runtimeImports(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) {
        if (entry !== 'node_modules' && entry !== 'dist') visit(full);
      } else if (/\.ts$/.test(entry) && !/\.(test|spec)\.ts$/.test(entry) && !entry.endsWith('.d.ts')) {
        const source = readFileSync(full, 'utf8');
        const statements = source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm);
        for (const [, typeOnly, specifier] of statements) if (!typeOnly) found.set(specifier!, relative(ROOT, full));
        for (const [, specifier] of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
          found.set(specifier!, relative(ROOT, full));
      }
    }
  };
  visit(dir);
  return found;
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

/** Bare imports reachable at runtime from `dir` that its production dependencies do not provide. */
function missingProductionDeps(dir: string, seen = new Set<string>()): string[] {
  const pkg = readJson<PackageJson>(join(ROOT, dir, 'package.json'));
  if (seen.has(pkg.name)) return [];
  seen.add(pkg.name);
  const deps = pkg.dependencies ?? {};
  const missing: string[] = [];
  for (const [specifier, file] of runtimeImports(join(ROOT, dir, 'src'))) {
    if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
    const name = packageName(specifier);
    if (!(name in deps)) missing.push(`${file}: ${name} is not in ${pkg.name} dependencies`);
    else if (name.startsWith('@little-ecom/'))
      missing.push(...missingProductionDeps(`packages/${name.slice('@little-ecom/'.length)}`, seen));
  }
  return missing;
}

const dockerfile = readFileSync(join(ROOT, 'infra/docker/Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
const last = (prefix: string) => instructions.filter((l) => l.startsWith(prefix)).at(-1);

describe('the one Dockerfile (infra/docker/Dockerfile)', () => {
  it('is multi-stage on a pinned Node 24 LTS image', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim(@sha256:[a-f0-9]{64})?$/m);
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).not.toMatch(/:latest\b/);
  });

  it('installs production dependencies only for the runtime stage, for the workspace its build arguments name', () => {
    expect(dockerfile).toContain('npm ci --omit=dev --no-audit --no-fund --workspace=@little-ecom/${SERVICE}');
    expect(dockerfile).toContain('turbo run build --filter=@little-ecom/${SERVICE}...');
  });

  it('runs as a non-root user, node as PID 1 in exec form, on the service port', () => {
    expect(last('USER ')).toMatch(/^USER (1000|node)(:1000)?$/);
    expect(last('CMD ')).toBe('CMD ["node", "dist/main.js"]');
    expect(instructions.some((l) => l.startsWith('ENTRYPOINT '))).toBe(false);
    expect(last('WORKDIR ')).toBe('WORKDIR /app/${SERVICE_DIR}');
    expect(last('EXPOSE ')).toBe('EXPOSE ${PORT}');
    // Listening on every interface inside the container (the services default to loopback).
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production HOST=0\.0\.0\.0$/m);
  });

  it('is the only Dockerfile: no per-service copies drift from it', () => {
    for (const { dir } of SERVICES) expect(existsSync(join(ROOT, dir, 'Dockerfile')), dir).toBe(false);
  });
});

describe('the service table (infra/docker/services.sh) the build scripts share', () => {
  it('lists every service with its workspace directory and port', () => {
    expect(serviceTable()).toEqual(SERVICES);
  });

  it('is what docker:build passes as build arguments', () => {
    const build = readFileSync(join(ROOT, 'infra/docker/build.sh'), 'utf8');
    expect(build).toContain('source infra/docker/services.sh');
    for (const arg of ['SERVICE=$service', 'SERVICE_DIR=$dir', 'PORT=$port']) expect(build).toContain(`--build-arg "${arg}"`);
    expect(build).toContain('--file infra/docker/Dockerfile');
  });
});

describe.each(SERVICES)('$name image', ({ name, dir, port }) => {
  it('matches the chart: the port and the non-root uid', () => {
    const values = readFileSync(join(ROOT, 'helm/little-ecom/values.yaml'), 'utf8');
    expect(values).toMatch(new RegExp(`^${name}:[\\s\\S]*?\\n  port: ${port}\\n`, 'm'));
    expect(values).toMatch(/runAsUser: 1000/);
  });

  it('a `npm ci --omit=dev` install provides every runtime import of the service and its workspace packages', () => {
    const pkg = readJson<PackageJson>(join(ROOT, dir, 'package.json'));
    expect(pkg.name).toBe(`@little-ecom/${name}`);
    expect(pkg.scripts?.['start']).toBe('node dist/main.js');
    expect(missingProductionDeps(dir)).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('keeps local state, build output and secrets out of the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.tools', '.data', '.env', '.env.*'])
      expect(ignore).toContain(entry);
  });
});
