import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SUBGRAPHS } from './support/service-list.js';
import { CHART, NAMESPACE, RELEASE, ROOT, VALUE_SETS, byKind, helm, render, type Manifest } from './support/tools.js';

/**
 * One Secret contract: the key table of docs/deploy.md §4 is what the pods read, for every documented
 * value set, and what install.sh creates. A key a pod reads that the docs do not list (or lists as
 * optional while the pod cannot start without it) would leave a Secret built from the docs short,
 * and every pod reading it in CreateContainerConfigError.
 */
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = read('docs/deploy.md');
const SECRET = 'little-ecom-secrets';

interface Documented {
  env: string;
  needed: 'required' | 'optional';
}
function documentedKeys(): Map<string, Documented> {
  const section = DOCS.slice(DOCS.indexOf('## 4. Secrets'), DOCS.indexOf('## 5. '));
  const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` +\| `([A-Z0-9_]+)` +\| (required|optional) +\|/gm)];
  return new Map(rows.map(([, key, env, needed]) => [key!, { env: env!, needed: needed as Documented['needed'] }]));
}
const DOCUMENTED = documentedKeys();
const REQUIRED = [...DOCUMENTED].filter(([, d]) => d.needed === 'required').map(([k]) => k);

/** The documented value sets: the chart's own (helm/test) and the local cluster's (§13). */
const SETS: Record<string, string[]> = { ...VALUE_SETS, cluster: ['infra/cluster/values.yaml'] };

interface Read {
  pod: string;
  env: string;
  key: string;
  optional: boolean;
}
type Container = { env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[] };
type PodSpec = { containers: Container[]; initContainers?: Container[] };

/** Every env variable any pod or CronJob of the render reads from the release Secret. */
function secretReads(manifests: Manifest[], secret: string): Read[] {
  const specs: [string, PodSpec][] = [
    ...byKind(manifests, 'Deployment').map((d): [string, PodSpec] => [
      d.metadata.name,
      (d.spec as { template: { spec: PodSpec } }).template.spec,
    ]),
    ...byKind(manifests, 'Pod').map((p): [string, PodSpec] => [p.metadata.name, p.spec as unknown as PodSpec]),
    ...byKind(manifests, 'CronJob').map((c): [string, PodSpec] => [
      c.metadata.name,
      (c.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec,
    ]),
  ];
  return specs.flatMap(([pod, spec]) =>
    [...spec.containers, ...(spec.initContainers ?? [])].flatMap((c) =>
      (c.env ?? []).flatMap((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return ref && ref.name === secret ? [{ pod, env: e.name, key: ref.key, optional: ref.optional === true }] : [];
      }),
    ),
  );
}
const existing = ['--set', `secrets.existingSecret=${SECRET}`];

/**
 * NOTES.txt as helm prints it after an install. `helm template` leaves NOTES out and a client-side
 * `helm install --dry-run` still wants a cluster here, so a copy of the chart renders it through `tpl`
 * into a ConfigMap: the same template, the same values, offline.
 */
const notesChart = join(mkdtempSync(join(tmpdir(), 'little-ecom-notes-')), 'little-ecom');
cpSync(CHART, notesChart, { recursive: true, dereference: true });
renameSync(join(notesChart, 'templates/NOTES.txt'), join(notesChart, 'notes-source.txt'));
writeFileSync(
  join(notesChart, 'templates/zz-notes.yaml'),
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rendered-notes\ndata:\n  NOTES.txt: {{ tpl (.Files.Get "notes-source.txt") . | toJson }}\n',
);
afterAll(() => rmSync(dirname(notesChart), { recursive: true, force: true }));
function notes(files: string[], args: string[]): string {
  const result = helm([
    'template',
    RELEASE,
    notesChart,
    '--namespace',
    NAMESPACE,
    ...files.flatMap((f) => ['--values', join(ROOT, f)]),
    ...args,
    '--show-only',
    'templates/zz-notes.yaml',
  ]);
  expect(result.status, result.stderr).toBe(0);
  return (parse(result.stdout) as { data: { 'NOTES.txt': string } }).data['NOTES.txt'];
}

describe('the Secret contract (docs/deploy.md §4)', () => {
  it('the docs table lists every subgraph database key, and says how many keys only through the table', () => {
    for (const s of SUBGRAPHS) expect(DOCUMENTED.get(`${s.name}-mongodb-uri`)?.needed, s.name).toBe('required');
    expect(REQUIRED.length).toBeGreaterThan(SUBGRAPHS.length);
    expect(DOCS).not.toMatch(/\b(reads?|holds?) (two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) keys\b/);
  });

  it.each(Object.entries(SETS))(
    'with the %s values, every key a pod reads is documented, as needed as the docs say',
    (_set, files) => {
      const reads = secretReads(render(files, existing), SECRET);
      expect(reads.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const r of reads) {
        const doc = DOCUMENTED.get(r.key);
        if (!doc) problems.push(`${r.pod} reads ${r.key} (${r.env}), which docs/deploy.md §4 does not list`);
        else {
          if (doc.env !== r.env) problems.push(`${r.pod} reads ${r.key} as ${r.env}, documented as ${doc.env}`);
          if ((doc.needed === 'optional') !== r.optional)
            problems.push(`${r.pod} reads ${r.key} ${r.optional ? 'as optional' : 'as required'}, documented ${doc.needed}`);
        }
      }
      expect(problems).toEqual([]);
      // Every component is on in these sets, so every required key is read by some pod.
      expect(REQUIRED.filter((k) => !reads.some((r) => r.key === k))).toEqual([]);
    },
  );

  it('every documented key is read by some pod in some documented value set', () => {
    const read = new Set(Object.values(SETS).flatMap((files) => secretReads(render(files, existing), SECRET).map((r) => r.key)));
    expect([...DOCUMENTED.keys()].filter((k) => !read.has(k))).toEqual([]);
  });

  it('a Secret with exactly the required keys starts every pod of the production values; NOTES names what is missing', () => {
    const production = VALUE_SETS['production'];
    const only = (keys: string[]) => [
      '--set',
      'secrets.existingSecret=',
      ...keys.flatMap((k) => ['--set', `secrets.values.${k}=x`]),
    ];
    const manifests = render(production, only(REQUIRED));
    const [secret] = byKind(manifests, 'Secret');
    const provided = Object.keys(secret?.data ?? {});
    const unmet = secretReads(manifests, secret!.metadata.name).filter((r) => !r.optional && !provided.includes(r.key));
    expect(unmet).toEqual([]);
    expect(notes(production, only(REQUIRED))).not.toContain('WARNING');
    for (const left of REQUIRED) {
      expect(notes(production, only(REQUIRED.filter((k) => k !== left))), left).toContain(
        `WARNING: no value for the secret keys: ${left}.`,
      );
    }
  });

  it('NOTES.txt lists the required keys and, apart, the optional ones', () => {
    const text = notes(VALUE_SETS['production'], []);
    expect(text).toContain(`it must hold the keys:\n  ${[...REQUIRED].sort().join(', ')}\n`);
    const optional = [...DOCUMENTED].filter(([, d]) => d.needed === 'optional').map(([k]) => k);
    expect(text).toContain(
      `Optional keys, read when present (absent: the integration is off and the pods still start):\n  ${optional.sort().join(', ')}`,
    );
  });

  it('install.sh creates the documented keys, every required one among them', () => {
    const install = read('infra/platform/install.sh');
    // Literal keys, and per-subgraph keys written as --from-literal=$name-<suffix>= in a loop over subgraphs.json.
    const created = [...install.matchAll(/--from-literal=(\$[a-z]+-)?([a-z0-9-]+)=/g)].flatMap(([, perSubgraph, key]) =>
      perSubgraph ? SUBGRAPHS.map((s) => `${s.name}-${key!}`) : [key!],
    );
    expect(install).toContain('create secret generic little-ecom-secrets');
    expect(created.filter((k) => !DOCUMENTED.has(k))).toEqual([]);
    expect(REQUIRED.filter((k) => !created.includes(k))).toEqual([]);
  });

  it('values.yaml and the README name every documented key', () => {
    const values = read('helm/little-ecom/values.yaml');
    const readme = read('README.md');
    for (const key of DOCUMENTED.keys()) {
      expect(values, `values.yaml: ${key}`).toContain(key);
      expect(readme, `README: ${key}`).toContain(`\`${key}\``);
    }
  });
});
