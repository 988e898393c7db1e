import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconform } from './support/kubeconform.js';
import { RELEASE, ROOT, byKind, render, templateText, type Manifest } from './support/tools.js';

interface Container {
  image: string;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  startupProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
}

const web = `${RELEASE}-little-ecom-web`;
const gateway = `${RELEASE}-little-ecom-gateway`;
const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const podSpec = (m: Manifest) => (m.spec as { template: { spec: PodSpec } }).template.spec;

describe('the storefront in the chart', () => {
  const manifests = render();

  it('renders valid Kubernetes objects (kubeconform, strict)', () => {
    const { status, resources, stderr } = kubeconform(templateText());
    const problems = resources.filter((r) => r.status !== 'statusValid').map((r) => `${r.kind}/${r.name}: ${r.msg}`);
    expect(problems).toEqual([]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy'])
      expect(
        resources.some((r) => r.kind === kind && r.name === web),
        kind,
      ).toBe(true);
  });

  it('runs the web pod with the same hardening as the gateway: security contexts, probes, resources', () => {
    const webPod = podSpec(find(manifests, 'Deployment', web));
    const gatewayPod = podSpec(find(manifests, 'Deployment', gateway));
    expect(webPod.securityContext).toEqual(gatewayPod.securityContext);
    expect(webPod.automountServiceAccountToken).toBe(false);
    const [container] = webPod.containers;
    expect(container!.securityContext).toEqual(gatewayPod.containers[0]!.securityContext);
    expect(container!.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container!.image).toMatch(/\/?web:[^:]+$/);
    expect(container!.image).not.toMatch(/:latest$/);
    expect(container!.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(container!.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container!.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container!.resources?.requests).toHaveProperty('memory');
    expect(container!.resources?.limits).toHaveProperty('memory');
  });

  it('lets only the ingress controller and the test pod reach web, and web reach nothing', () => {
    const policy = find(manifests, 'NetworkPolicy', web).spec as {
      policyTypes: string[];
      ingress: { from: unknown[] }[];
      egress: unknown[];
    };
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress).toEqual([]);
    expect(JSON.stringify(policy.ingress)).toContain('ingress-nginx');
  });

  it('routes / to web and /graphql to the gateway on one host (Ingress)', () => {
    const [ingress] = byKind(manifests, 'Ingress');
    const rules = (
      ingress!.spec as {
        rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string } } }[] } }[];
      }
    ).rules;
    expect(rules).toHaveLength(1);
    const routes = rules[0]!.http.paths.map((p) => [p.path, p.pathType, p.backend.service.name]);
    expect(routes).toEqual([
      ['/graphql', 'Exact', gateway],
      ['/', 'Prefix', web],
    ]);
  });

  it('routes / to web and /graphql to the gateway on the same hostnames (HTTPRoute)', () => {
    const routed = render([], ['--set', 'httpRoute.enabled=true', '--set', 'ingress.enabled=false']);
    const [route] = byKind(routed, 'HTTPRoute');
    const rules = (
      route!.spec as { rules: { matches: { path: { type: string; value: string } }[]; backendRefs: { name: string }[] }[] }
    ).rules;
    expect(rules.map((r) => [r.matches.map((m) => `${m.path.type} ${m.path.value}`), r.backendRefs[0]!.name])).toEqual([
      [['Exact /graphql'], gateway],
      [['PathPrefix /'], web],
    ]);
  });

  it('leaves the storefront out when web.enabled is false: only /graphql is routed', () => {
    const without = render([], ['--set', 'web.enabled=false']);
    expect(without.filter((m) => m.metadata.name === web)).toEqual([]);
    const [ingress] = byKind(without, 'Ingress');
    expect(JSON.stringify(ingress!.spec)).not.toContain(web);
  });
});

describe('the storefront server (web/server/main.js, dist/main.js in the image)', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // A build's shape: index.html and content-hashed assets.
    const dist = mkdtempSync(join(tmpdir(), 'little-ecom-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>');
    writeFileSync(join(dist, 'assets/index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets/app-D4e5F6.js'), `export const catalog = ${JSON.stringify('a product '.repeat(500))};`);
    const { createStorefrontServer } = (await import(join(ROOT, 'web/server/main.js'))) as {
      createStorefrontServer(dir: string): Server;
    };
    server = createStorefrontServer(dist);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('serves index.html at / with a strict CSP and revalidation', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('caches hashed assets for a year as immutable', async () => {
    const res = await fetch(`${url}/assets/index-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('sends text gzipped to clients that accept it, and as it is to the others', async () => {
    const get = (encoding?: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(
          `${url}/assets/app-D4e5F6.js`,
          { headers: encoding ? { 'accept-encoding': encoding } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const plain = await get();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toBe('accept-encoding');
    const zipped = await get('gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it('answers client-side routes with index.html, a missing asset with 404, and never its own source', async () => {
    for (const path of ['/products/blue-mug', '/account/orders', '/main.js', '/../package.json']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('<!doctype html>');
    }
    expect((await fetch(`${url}/assets/gone-123.js`)).status).toBe(404);
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
