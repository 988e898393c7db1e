import { mkdirSync, mkdtempSync, readdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster.js';
import { CHART, K8S_API, NAMESPACE, RELEASE, ROOT, VALUE_SETS } from './support/tools.js';
import { COMPONENTS, SUBGRAPHS } from './support/service-list.js';

/**
 * `helm upgrade --install` against a real kube-apiserver of the pinned Kubernetes release, then
 * upgrades, a switch to Gateway API, a rollback and a switch of value sets: the API server
 * validates, defaults and admits every object as a cluster would (no pod runs; there is no kubelet).
 */
let cluster: Cluster;
const scratch = mkdtempSync(join(tmpdir(), 'little-ecom-charts-'));

beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const values = (set: keyof typeof VALUE_SETS) => VALUE_SETS[set].flatMap((f) => ['--values', join(ROOT, f)]);

function upgrade(args: string[]) {
  const result = cluster.helm(['upgrade', '--install', RELEASE, CHART, '--namespace', NAMESPACE, '--create-namespace', ...args]);
  expect(result.stderr + result.stdout, 'helm upgrade --install').toContain('STATUS: deployed');
  expect(result.status).toBe(0);
  // The API server accepts unknown fields with a warning (field validation "Warn"): treat those as failures.
  expect(result.stderr).not.toMatch(/unknown field|duplicate field|deprecated/i);
  return result;
}

interface List<T> {
  items: T[];
}
interface Obj {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } } };
}
const list = async (path: string) => {
  const res = await cluster.get<List<Obj>>(path);
  expect(res.status, path).toBe(200);
  return res.body.items;
};
const deployments = () => list(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`);
const names = (items: Obj[]) => items.map((i) => i.metadata.name).sort();
const revision = () => {
  const status = cluster.helm(['status', RELEASE, '--namespace', NAMESPACE, '-o', 'json']);
  return (JSON.parse(status.stdout) as { version: number }).version;
};

describe('helm against a real kube-apiserver', () => {
  it('the install check can fail: an object with an unknown field is reported', () => {
    const chart = join(scratch, 'bad');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: bad\nversion: 0.0.1\n');
    writeFileSync(
      join(chart, 'templates/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\nspec:\n  bogus: true\ndata:\n  a: b\n',
    );
    const result = cluster.helm(['upgrade', '--install', 'bad', chart, '--namespace', 'default']);
    expect(result.stderr).toMatch(/unknown field \\?"spec\\?"/);
    writeFileSync(
      join(chart, 'templates/svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n    - port: 99999\n',
    );
    const rejected = cluster.helm(['upgrade', '--install', 'bad', chart, '--namespace', 'default']);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toMatch(/Invalid value: 99999/);
  });

  it('installs with the production values', async () => {
    const { stdout } = upgrade([...values('production'), '--set-file', `supergraph=${join(ROOT, 'gateway/supergraph.graphql')}`]);
    expect(revision()).toBe(1);
    expect(stdout).toContain('https://api.shop.example.com/graphql');
    expect(stdout).toContain(`helm test ${RELEASE} -n ${NAMESPACE}`);
    expect(stdout).toContain('node dist/cli/create-admin.js');
    expect(stdout).toContain('Secret "little-ecom-secrets"');
    // The services and the storefront's static server (web: a policy and a budget, no autoscaler).
    expect(names(await deployments())).toEqual([...COMPONENTS, 'web'].map((c) => `${RELEASE}-little-ecom-${c}`).sort());
    expect((await list(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies`)).length).toBe(COMPONENTS.length + 3);
    expect((await list(`/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets`)).length).toBe(COMPONENTS.length + 1);
    expect((await list(`/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`)).length).toBe(COMPONENTS.length);
    expect(names(await list(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses`))).toEqual([
      `${RELEASE}-little-ecom-gateway`,
    ]);
  });

  it('upgrades to a new image tag and supergraph, rolling the gateway through the checksum', async () => {
    const gateway = async () => (await deployments()).find((d) => d.metadata.name.endsWith('-gateway'))!;
    const before = (await gateway()).spec.template.metadata.annotations?.['checksum/supergraph'];
    upgrade([...values('production'), '--set', 'image.tag=0.1.1', '--set-string', 'supergraph=type Query { hello: String }']);
    expect(revision()).toBe(2);
    const after = await gateway();
    expect(after.spec.template.metadata.annotations?.['checksum/supergraph']).not.toBe(before);
    for (const d of await deployments()) expect(d.spec.template.spec.containers[0]!.image).toMatch(/:0\.1\.1$/);
  });

  it('switches to a Gateway API HTTPRoute and a cert-manager Certificate once their CRDs are installed', async () => {
    const crdChart = join(scratch, 'gateway-api-crds');
    mkdirSync(join(crdChart, 'crds'), { recursive: true });
    writeFileSync(join(crdChart, 'Chart.yaml'), 'apiVersion: v2\nname: gateway-api-crds\nversion: 1.4.1\n');
    for (const file of readdirSync(join(K8S_API, 'crds')).filter((f) =>
      /^(gateway\.networking\.k8s\.io|cert-manager\.io)_/.test(f),
    )) {
      copyFileSync(join(K8S_API, 'crds', file), join(crdChart, 'crds', file));
    }
    const crds = cluster.helm(['upgrade', '--install', 'gateway-api-crds', crdChart, '--namespace', 'default']);
    expect(crds.status, crds.stderr).toBe(0);
    const served = async () =>
      (await cluster.get(`/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`)).status === 200 &&
      (await cluster.get(`/apis/cert-manager.io/v1/namespaces/${NAMESPACE}/certificates`)).status === 200;
    for (let i = 0; i < 50 && !(await served()); i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    upgrade(values('gateway-api'));
    expect(revision()).toBe(3);
    expect(names(await list(`/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`))).toEqual([
      `${RELEASE}-little-ecom-gateway`,
    ]);
    expect(names(await list(`/apis/cert-manager.io/v1/namespaces/${NAMESPACE}/certificates`))).toEqual([
      `${RELEASE}-little-ecom`,
    ]);
    expect(await list(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses`)).toEqual([]);
  });

  it('rolls back to the first revision', async () => {
    const result = cluster.helm(['rollback', RELEASE, '1', '--namespace', NAMESPACE]);
    expect(result.status, result.stderr).toBe(0);
    expect(revision()).toBe(4);
    expect(names(await list(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses`))).toEqual([
      `${RELEASE}-little-ecom-gateway`,
    ]);
    expect(await list(`/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`)).toEqual([]);
    for (const d of await deployments()) expect(d.spec.template.spec.containers[0]!.image).toMatch(/:0\.1\.0$/);
  });

  it('upgrades to the defaults with a chart-created Secret, then to no network policies or autoscaling', async () => {
    const { stdout } = upgrade([
      '--reset-values',
      '--set-string',
      'secrets.values.products-amqp-url=amqp://user:pass@rabbitmq:5672',
    ]);
    // <subgraph>-mongodb-uri, the other subgraphs' <subgraph>-amqp-url, event-secrets-key, gateway-public-key, gateway-signing-key, jwt-signing-keys, smtp-url, totp-secrets-key
    const missing = [
      ...SUBGRAPHS.map((s) => `${s.name}-mongodb-uri`),
      ...SUBGRAPHS.filter((s) => s.name !== 'products').map((s) => `${s.name}-amqp-url`),
      'event-secrets-key',
      'gateway-public-key',
      'gateway-signing-key',
      'jwt-signing-keys',
      'smtp-url',
      'totp-secrets-key',
    ].sort();
    expect(stdout).toContain(`WARNING: no value for the secret keys: ${missing.join(', ')}.`);
    expect(names(await list(`/api/v1/namespaces/${NAMESPACE}/secrets`))).toContain(`${RELEASE}-little-ecom-secrets`);
    upgrade(['--reset-values', ...values('network-policies-off')]);
    expect(revision()).toBe(6);
    expect(await list(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies`)).toEqual([]);
    expect(await list(`/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`)).toEqual([]);
    expect(names(await list(`/api/v1/namespaces/${NAMESPACE}/secrets`))).not.toContain(`${RELEASE}-little-ecom-secrets`);
  });
});
