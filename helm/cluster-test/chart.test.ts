import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHART,
  ROOT,
  background,
  eventually,
  graphql,
  helm,
  kubectl,
  kubectlJson,
  loopbackEntry,
  startLoad,
  type LoadReport,
} from './support.js';
import { GENERATED_KEYS } from './keys.js';
import { COMPONENTS } from '../test/support/service-list.js';

/**
 * The chart's pods really run: on the single-node cluster of scripts/cluster.sh (started by
 * scripts/test-cluster.sh with the images of scripts/images.mjs imported under two tags), the chart
 * installs with its production security settings and network policies (kube-router) in force, serves
 * the storefront page through the web Service and its queries through the gateway Service, and survives a rolling upgrade of every Deployment, a
 * pod deletion and a rollback with no failed request under load. The tests run in order and share one
 * release; ~1.5-2 min.
 */
const NAMESPACE = 'little-ecom';
const RELEASE = 'little-ecom';
const TAG_A = process.env['IMAGE_TAG_A'] ?? 'cluster-a';
const TAG_B = process.env['IMAGE_TAG_B'] ?? 'cluster-b';
const MAILPIT_API = process.env['CLUSTER_MAILPIT_API'] ?? 'http://127.0.0.1:18025';
/** Every Deployment of the release: the gateway, each subgraph of subgraphs.json and the storefront. */
const DEPLOYMENTS = [...COMPONENTS, 'web'];

/**
 * The chart's gateway runs operations from its trusted documents only (PERSISTED_QUERIES=trusted, the
 * production default), so the tests send registered documents, as the storefront does.
 */
const TRUSTED = JSON.parse(readFileSync(join(ROOT, 'gateway/trusted-documents.json'), 'utf8')) as {
  operations: { name: string; body: string }[];
};
const registered = (name: string): string => {
  const operation = TRUSTED.operations.find((o) => o.name === name);
  if (!operation) throw new Error(`no operation ${name} in gateway/trusted-documents.json`);
  return operation.body;
};
const CATALOG = registered('CatalogPage');
const CATALOG_VARIABLES = { first: 5 };
const ME = registered('MyNotifications');
const ME_VARIABLES = { first: 5 };
const SIGN_UP = registered('SignUp');

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: {
    containers: {
      name: string;
      image: string;
      securityContext?: {
        readOnlyRootFilesystem?: boolean;
        runAsNonRoot?: boolean;
        allowPrivilegeEscalation?: boolean;
        capabilities?: { drop?: string[] };
      };
      readinessProbe?: unknown;
      livenessProbe?: unknown;
      startupProbe?: unknown;
    }[];
    securityContext?: { runAsUser?: number; runAsNonRoot?: boolean };
  };
  status: {
    phase: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; restartCount: number }[];
  };
}

let dir: string;
let gateway: { url: string; close: () => Promise<void> };
let token: string;

const releasePods = () =>
  kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]).items.filter(
    (p) => p.metadata.labels['app.kubernetes.io/component'] !== 'test',
  );
const component = (pod: Pod) => pod.metadata.labels['app.kubernetes.io/component'] ?? '';
const isReady = (pod: Pod) =>
  !pod.metadata.deletionTimestamp && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

function install(tag: string, extra: string[] = []) {
  return background(
    'helm',
    [
      'upgrade',
      '--install',
      RELEASE,
      CHART,
      '--namespace',
      NAMESPACE,
      '--create-namespace',
      '-f',
      join(ROOT, 'infra/cluster/values.yaml'),
      '--set',
      `image.tag=${tag}`,
      ...Object.keys(GENERATED_KEYS).flatMap((key) => ['--set-file', `secrets.values.${key}=${join(dir, key)}`]),
      '--wait',
      '--timeout',
      '12m',
      ...extra,
    ],
    13 * 60_000,
  );
}

/** Every Deployment rolled out at `tag`: all replicas updated and ready, no old pod left. */
async function rolledOut(tag: string) {
  // In the background: a blocking call would stall the load this often runs next to.
  for (const name of DEPLOYMENTS) {
    const result = await background(
      'kubectl',
      ['rollout', 'status', `deployment/${RELEASE}-${name}`, '-n', NAMESPACE, '--timeout=10m'],
      11 * 60_000,
    );
    expect(result.status, `rollout of ${name}: ${result.stderr}`).toBe(0);
  }
  return eventually(
    `every pod running ${tag}`,
    () => {
      const pods = releasePods();
      return pods.length > 0 && pods.every((p) => isReady(p) && p.spec.containers[0]!.image.endsWith(`:${tag}`))
        ? pods
        : undefined;
    },
    120_000,
  );
}

/** A TCP connect from inside `pod` to `target` (host:port): 'open', or why not (an error code, 'timeout'). */
function tcpReach(pod: string, target: string): string {
  const [host, port] = target.split(':');
  const script = [
    `const s = require('node:net').connect({ host: ${JSON.stringify(host)}, port: ${Number(port)}, timeout: 4000 });`,
    "s.on('connect', () => { console.log('open'); s.destroy(); });",
    "s.on('timeout', () => { console.log('timeout'); s.destroy(); });",
    "s.on('error', (e) => console.log(e.code));",
  ].join(' ');
  return kubectl(['exec', '-n', NAMESPACE, pod, '--', 'node', '-e', script], 30_000).trim();
}

const expectNoFailures = (report: LoadReport) => {
  expect(report.failures).toEqual([]);
  expect(report.failed).toBe(0);
  // The load really ran through the change (a few requests per second at least).
  expect(report.requests).toBeGreaterThan(20);
};

const storefrontLoad = () => {
  let n = 0;
  return startLoad(
    () => (n++ % 2 === 0 ? graphql(gateway.url, CATALOG, CATALOG_VARIABLES) : graphql(gateway.url, ME, ME_VARIABLES, token)),
    { workers: 4 },
  );
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'little-ecom-cluster-test-'));
  for (const [key, generate] of Object.entries(GENERATED_KEYS)) writeFileSync(join(dir, key), generate(), { mode: 0o600 });
});

afterAll(async () => {
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the chart on a real single-node cluster', () => {
  it('installs with `helm upgrade --install --wait`: every pod Ready', async () => {
    const result = await install(TAG_A);
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const pods = await rolledOut(TAG_A);
    expect(new Set(pods.map(component))).toEqual(new Set(DEPLOYMENTS));
    for (const pod of pods)
      expect(
        pod.status.containerStatuses?.every((c) => c.ready),
        pod.metadata.name,
      ).toBe(true);
  });

  it('runs every pod with its probes, a read-only root, a non-root uid and no capabilities, in force', () => {
    for (const pod of releasePods()) {
      const [container] = pod.spec.containers;
      expect(container!.startupProbe && container!.readinessProbe && container!.livenessProbe, pod.metadata.name).toBeTruthy();
      expect(container!.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      // What the process really has, asked inside the container (not what the spec says).
      const probe = [
        "const fs = require('node:fs');",
        'const caps = /CapEff:\\s*(\\w+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1];',
        'const canWrite = (p) => { try { fs.writeFileSync(p, "x"); fs.rmSync(p); return true; } catch (e) { return e.code; } };',
        'console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), caps, root: canWrite("/app/probe"), etc: canWrite("/etc/probe"), tmp: canWrite("/tmp/probe"), node: process.version }));',
      ].join(' ');
      const facts = JSON.parse(
        kubectl(['exec', '-n', NAMESPACE, pod.metadata.name, '-c', container!.name, '--', 'node', '-e', probe]),
      ) as Record<string, unknown>;
      expect(facts, pod.metadata.name).toMatchObject({
        uid: 1000,
        gid: 1000,
        caps: '0000000000000000',
        root: 'EROFS',
        etc: 'EROFS',
        tmp: true,
      });
      expect(facts['node']).toMatch(/^v24\./);
    }
  });

  it('passes `helm test`', () => {
    const result = helm(['test', RELEASE, '--namespace', NAMESPACE, '--timeout', '5m'], 6 * 60_000);
    expect(result.status, result.stderr + result.stdout).toBe(0);
  });

  it('serves a storefront query, a sign-up and its welcome email through the gateway Service', async () => {
    gateway = await loopbackEntry(NAMESPACE, `${RELEASE}-gateway`, 4000);
    const catalog = await graphql<{ products: { totalCount: number } }>(gateway.url, CATALOG, CATALOG_VARIABLES);
    expect(catalog.status).toBe(200);
    expect(catalog.body.errors).toBeUndefined();
    expect(typeof catalog.body.data?.products.totalCount).toBe('number');

    const email = `cluster-${randomUUID().slice(0, 8)}@example.test`;
    const signUp = await graphql<{ signUp: { accessToken: string } }>(
      gateway.url,
      SIGN_UP,
      { input: { email, password: 'a cluster password 123', name: 'Cluster Customer' } },
      undefined,
      30_000,
    );
    expect(signUp.body.errors).toBeUndefined();
    token = signUp.body.data!.signUp.accessToken;
    const me = await graphql<{ me: { email: string } }>(gateway.url, ME, ME_VARIABLES, token);
    expect(me.body.data?.me.email).toBe(email);

    const subjects = await eventually(
      `the welcome email to ${email} in the cluster's Mailpit`,
      async () => {
        const res = await fetch(`${MAILPIT_API}/api/v1/search?query=${encodeURIComponent(`to:${email}`)}`);
        const { messages } = (await res.json()) as { messages: { Subject: string }[] };
        return messages.length ? messages.map((m) => m.Subject) : undefined;
      },
      60_000,
    );
    expect(subjects).toContain('Welcome to little-ecom');
  });

  it('serves the storefront page and its scripts through the web Service, with its CSP', async () => {
    const web = await loopbackEntry(NAMESPACE, `${RELEASE}-web`, 8080);
    try {
      // A client-side route gets the app's index.html, like `/`.
      for (const path of ['/', '/products']) {
        const page = await fetch(`${web.url}${path}`);
        expect(page.status, path).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        const html = await page.text();
        expect(html).toContain('<div id="root">');
        const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
        expect(script, 'the entry script in index.html').toMatch(/^\/assets\/.+\.js$/);
        const js = await fetch(`${web.url}${script}`);
        expect(js.status).toBe(200);
        expect(js.headers.get('cache-control')).toContain('immutable');
        expect((await js.text()).length).toBeGreaterThan(1000);
      }
    } finally {
      await web.close();
    }
  });

  it('keeps a pod outside the allowed set from reaching a subgraph or MongoDB (NetworkPolicy enforced)', async () => {
    const pods = releasePods();
    const podOf = (name: string) => pods.find((p) => component(p) === name)!.metadata.name;
    const products = `${RELEASE}-products.${NAMESPACE}.svc:4001`;
    const orders = `${RELEASE}-orders.${NAMESPACE}.svc:4004`;
    const mongodb = 'mongodb.mongodb.svc.cluster.local:27017';
    // A pod of no component of the release, in its namespace, from an image the node has.
    const outsider = 'outsider';
    kubectl([
      'run',
      outsider,
      '-n',
      NAMESPACE,
      `--image=ghcr.io/little-ecom/gateway:${TAG_A}`,
      '--image-pull-policy=Never',
      '--restart=Never',
      '--labels=app.kubernetes.io/name=outsider',
      '--command',
      '--',
      'sleep',
      '600',
    ]);
    try {
      kubectl(['wait', '--for=condition=Ready', `pod/${outsider}`, '-n', NAMESPACE, '--timeout=120s'], 150_000);
      // Allowed: the gateway reaches a subgraph, a subgraph reaches MongoDB (so the listeners are there).
      expect(tcpReach(podOf('gateway'), products)).toBe('open');
      expect(tcpReach(podOf('products'), mongodb)).toBe('open');
      // Not allowed: a pod of no component reaches no subgraph; the gateway has no MongoDB egress.
      expect(tcpReach(outsider, products)).not.toBe('open');
      expect(tcpReach(outsider, orders)).not.toBe('open');
      expect(tcpReach(podOf('gateway'), mongodb)).not.toBe('open');
    } finally {
      kubectl(['delete', 'pod', outsider, '-n', NAMESPACE, '--grace-period=0', '--wait=false']);
    }
  });

  it('rolls every Deployment to a new image under load with no failed request', async () => {
    const load = storefrontLoad();
    const upgrade = await install(TAG_B);
    const pods = await rolledOut(TAG_B);
    const report = await load.stop();
    console.log(`rolling upgrade: ${report.requests} requests, ${report.failed} failed`);
    expect(upgrade.status, upgrade.stderr + upgrade.stdout).toBe(0);
    expect(new Set(pods.map(component))).toEqual(new Set(DEPLOYMENTS));
    expectNoFailures(report);
  });

  it('loses no request when a gateway pod and a products pod are deleted under load', async () => {
    const load = storefrontLoad();
    const victims = releasePods().filter((p) => ['gateway', 'products'].includes(component(p)));
    const gatewayVictim = victims.find((p) => component(p) === 'gateway')!;
    const productsVictim = victims.find((p) => component(p) === 'products')!;
    const deleted = await background(
      'kubectl',
      [
        'delete',
        'pod',
        '-n',
        NAMESPACE,
        gatewayVictim.metadata.name,
        productsVictim.metadata.name,
        '--wait=true',
        '--timeout=3m',
      ],
      4 * 60_000,
    );
    expect(deleted.status, deleted.stderr).toBe(0);
    await rolledOut(TAG_B);
    const report = await load.stop();
    console.log(`pod deletion: ${report.requests} requests, ${report.failed} failed`);
    const names = releasePods().map((p) => p.metadata.name);
    expect(names).not.toContain(gatewayVictim.metadata.name);
    expect(names).not.toContain(productsVictim.metadata.name);
    expectNoFailures(report);
  });

  it('rolls back with `helm rollback` to the first image', async () => {
    const result = await background(
      'helm',
      ['rollback', RELEASE, '1', '--namespace', NAMESPACE, '--wait', '--timeout', '12m'],
      13 * 60_000,
    );
    expect(result.status, result.stderr + result.stdout).toBe(0);
    await rolledOut(TAG_A);
    const history = JSON.parse(helm(['history', RELEASE, '--namespace', NAMESPACE, '-o', 'json']).stdout) as {
      revision: number;
      status: string;
      description: string;
    }[];
    expect(history.at(-1)).toMatchObject({ revision: 3, status: 'deployed', description: 'Rollback to 1' });
    const catalog = await graphql(gateway.url, CATALOG, CATALOG_VARIABLES);
    expect(catalog.body.errors).toBeUndefined();
  });
});
