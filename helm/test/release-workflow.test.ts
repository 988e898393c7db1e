import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_LIST, SUBGRAPHS } from './support/service-list.js';
import { ROOT, run, toolPath } from './support/tools.js';

/**
 * .github/workflows/release.yml publishes every image the chart deploys: the gateway, each subgraph of
 * subgraphs.json and the storefront. The storefront (web/, docs/deploy.md §2) is the one image that is
 * not a GraphQL service, so subgraphs.json does not list it: it is the documented extra entry below.
 */
const EXTRA_IMAGES = [{ image: 'web', dir: 'web', dockerfile: 'web/Dockerfile' }];
const WORKFLOW = '.github/workflows/release.yml';
const scratch = mkdtempSync(join(tmpdir(), 'little-ecom-actionlint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, string | boolean | number>;
}
interface Workflow {
  on: { push?: { tags?: string[] } };
  env: { REGISTRY: string };
  jobs: Record<
    string,
    {
      permissions?: Record<string, string>;
      strategy?: { matrix: { include: { image: string; dir: string; port: number; dockerfile: string }[] } };
      steps: Step[];
    }
  >;
}
const text = readFileSync(join(ROOT, WORKFLOW), 'utf8');
const workflow = parse(text) as Workflow;
const imageJob = workflow.jobs['image']!;
const matrix = imageJob.strategy!.matrix.include;
const step = (action: string) => imageJob.steps.find((s) => s.uses?.startsWith(`${action}@`));

const actionlint = (file: string) => run(toolPath('actionlint'), ['-no-color', '-oneline', file]);

describe('the release workflow', () => {
  it('passes actionlint, and actionlint fails a broken workflow', () => {
    const result = actionlint(join(ROOT, WORKFLOW));
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    const broken = join(scratch, 'broken.yml');
    writeFileSync(broken, text.replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    timeout-minutes: soon'));
    const failed = actionlint(broken);
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toMatch(/timeout-minutes/);
  });

  it('pushes the gateway, every subgraph of subgraphs.json and web, from their workspaces', () => {
    const expected = [
      { image: 'gateway', dir: 'gateway', port: SERVICE_LIST.gateway.port, dockerfile: 'infra/docker/Dockerfile' },
      ...SUBGRAPHS.map((s) => ({
        image: s.name,
        dir: `subgraphs/${s.name}`,
        port: s.port,
        dockerfile: 'infra/docker/Dockerfile',
      })),
    ];
    expect(matrix.map((m) => m.image)).toEqual([...expected.map((e) => e.image), ...EXTRA_IMAGES.map((e) => e.image)]);
    for (const entry of expected) expect(matrix.find((m) => m.image === entry.image)).toEqual(entry);
    for (const extra of EXTRA_IMAGES) expect(matrix.find((m) => m.image === extra.image)).toMatchObject(extra);
  });

  it('builds multi-arch with QEMU and Buildx, tags the version, pushes by digest with an SBOM and provenance', () => {
    expect(workflow.on.push?.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(step('docker/setup-qemu-action')).toBeDefined();
    expect(step('docker/setup-buildx-action')).toBeDefined();
    const build = step('docker/build-push-action')!;
    expect(String(build.with?.['platforms']).split(',').sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(build.with?.['push']).toBe(true);
    expect(build.with?.['sbom']).toBe(true);
    expect(build.with?.['provenance']).toBe('mode=max');
    expect(build.with?.['file']).toBe('${{ matrix.dockerfile }}');
    const meta = step('docker/metadata-action')!;
    expect(meta.with?.['tags']).toBe('type=raw,value=${{ steps.version.outputs.version }}');
    expect(meta.with?.['flavor']).toBe('latest=false');
    // The tag is the chart appVersion, so the chart's default image tag is what was pushed.
    expect(imageJob.steps.find((s) => s.id === 'version')?.run).toContain('helm/little-ecom/Chart.yaml');
    const attest = step('actions/attest-build-provenance')!;
    expect(attest.with?.['subject-digest']).toBe('${{ steps.build.outputs.digest }}');
    expect(imageJob.permissions).toMatchObject({ packages: 'write', 'id-token': 'write', attestations: 'write' });
    expect(workflow.jobs['digests']?.steps.some((s) => s.run?.includes('image-digests.yaml'))).toBe(true);
  });

  it("pushes the chart's default image names", () => {
    const values = parse(readFileSync(join(ROOT, 'helm/little-ecom/values.yaml'), 'utf8')) as Record<
      string,
      { registry?: string; image?: { repository: string } }
    >;
    expect(workflow.env.REGISTRY).toBe(values['image']?.registry);
    for (const { image } of matrix) expect(values[image]?.image?.repository, image).toBe(image);
  });

  it('docs/deploy.md pushes every image docker:build builds (orders included)', () => {
    const docs = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const loops = [...docs.matchAll(/^for s in (.+); do docker push .*\$s:.*; done$/gm)].map((m) => m[1]);
    expect(loops).toEqual(['$(node scripts/service-list.mjs services)']);
    const services = run('node', [join(ROOT, 'scripts/service-list.mjs'), 'services'])
      .stdout.trim()
      .split('\n');
    expect(services).toEqual(['gateway', ...SUBGRAPHS.map((s) => s.name)]);
    expect(docs).toContain(WORKFLOW);
  });
});
