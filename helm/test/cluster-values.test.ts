import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GENERATED_KEYS } from '../cluster-test/keys.js';
import { COMPONENTS } from './support/service-list.js';
import { ROOT, byKind, render, type Manifest } from './support/tools.js';

/**
 * infra/cluster/values.yaml (npm run test:cluster) stays in step with the chart, in seconds rather
 * than after a cluster build: with the keys the cluster test generates, every pod finds every Secret
 * key it reads, every service has its Deployment, and the values keep production mode and commit no key.
 */
const VALUES = 'infra/cluster/values.yaml';
const generated = Object.keys(GENERATED_KEYS);

interface Env {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
type PodSpec = { containers: { env?: Env[] }[] };

const podSpecs = (manifests: Manifest[]): [string, PodSpec][] => [
  ...byKind(manifests, 'Deployment').map((d): [string, PodSpec] => [
    d.metadata.name,
    (d.spec as { template: { spec: PodSpec } }).template.spec,
  ]),
  ...byKind(manifests, 'Pod').map((p): [string, PodSpec] => [p.metadata.name, p.spec as unknown as PodSpec]),
];

describe('the local cluster values', () => {
  const manifests = render(
    [VALUES],
    generated.flatMap((key) => ['--set', `secrets.values.${key}=generated`]),
  );

  it('give every pod every Secret key it reads, with the keys the cluster test generates', () => {
    const [secret] = byKind(manifests, 'Secret');
    const keys = Object.keys((secret as unknown as { data: Record<string, string> }).data);
    for (const [name, spec] of podSpecs(manifests))
      for (const env of spec.containers.flatMap((c) => c.env ?? [])) {
        const ref = env.valueFrom?.secretKeyRef;
        // An optional key (docs/deploy.md §4) turns an integration on when present; the pod starts without it.
        if (ref && !ref.optional) expect(keys, `${name} ${env.name} (${ref.name}/${ref.key})`).toContain(ref.key);
      }
  });

  it('run every service, in production mode with an https issuer', () => {
    const deployments = podSpecs(manifests).filter(([name]) => !name.endsWith('-test'));
    expect(deployments.map(([name]) => name.replace(/^.*-little-ecom-/, '')).sort()).toEqual([...COMPONENTS, 'web'].sort());
    for (const [name, spec] of deployments) {
      const env = new Map(spec.containers[0]!.env!.map((e) => [e.name, e.value]));
      expect(env.get('NODE_ENV'), name).toBe('production');
      if (env.has('JWT_ISSUER')) expect(env.get('JWT_ISSUER'), name).toMatch(/^https:\/\//);
    }
  });

  it('commit no key: those are generated for each run', () => {
    const values = parse(readFileSync(join(ROOT, VALUES), 'utf8')) as { secrets: { values: Record<string, string> } };
    for (const key of generated) expect(Object.keys(values.secrets.values)).not.toContain(key);
  });
});
