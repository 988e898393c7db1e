import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeconform } from './support/kubeconform.js';
import { VERSIONS, resources } from './support/platform.js';
import { CHART, RELEASE, ROOT, VALUE_SETS, byKind, helm, render, templateText } from './support/tools.js';

/**
 * The way in (docs/deploy.md §7): Gateway API by default on new clusters, with Envoy Gateway and a
 * cert-manager Certificate; ingress-nginx kept at its last patch release with the default annotation
 * risk level.
 */
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const GATEWAY_API = VALUE_SETS['gateway-api'];

describe('Gateway API with a cert-manager Certificate', () => {
  const manifests = render(GATEWAY_API);
  const certificate = byKind(manifests, 'Certificate')[0];

  it('renders a Certificate for the HTTPRoute hostnames, and a ReferenceGrant for the Gateway', () => {
    expect(certificate?.apiVersion).toBe('cert-manager.io/v1');
    const route = byKind(manifests, 'HTTPRoute')[0]!;
    const spec = certificate!.spec as { secretName: string; dnsNames: string[]; issuerRef: { kind: string; name: string } };
    expect(spec.dnsNames).toEqual((route.spec as { hostnames: string[] }).hostnames);
    expect(spec.secretName).toBe('little-ecom-tls');
    expect(spec.issuerRef).toEqual({ kind: 'ClusterIssuer', name: 'letsencrypt' });
    const [grant] = byKind(manifests, 'ReferenceGrant');
    expect(grant?.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway-system' }],
      to: [{ group: '', kind: 'Secret', name: 'little-ecom-tls' }],
    });
  });

  it('passes kubeconform with the cert-manager and Gateway API CRDs', () => {
    const { resources: results, status } = kubeconform(templateText(GATEWAY_API));
    const checked = results.filter((r) => ['Certificate', 'ReferenceGrant', 'HTTPRoute'].includes(r.kind));
    expect(checked.map((r) => `${r.kind} ${r.status} ${r.msg}`).sort()).toEqual([
      'Certificate statusValid ',
      'HTTPRoute statusValid ',
      'ReferenceGrant statusValid ',
    ]);
    expect(status).toBe(0);
  });

  it('the platform Gateway serves that Secret on the listener the HTTPRoute attaches to', () => {
    const gateway = resources('gateway.yaml').find((r) => r.kind === 'Gateway')!;
    const values = parse(read(GATEWAY_API[1]!)) as {
      httpRoute: { parentRefs: { name: string; namespace: string; sectionName: string }[] };
    };
    const parent = values.httpRoute.parentRefs[0]!;
    expect([gateway.metadata.name, gateway.metadata.namespace]).toEqual([parent.name, parent.namespace]);
    const listener = (
      gateway.spec['listeners'] as { name: string; tls?: { certificateRefs: { name: string; namespace: string }[] } }[]
    ).find((l) => l.name === parent.sectionName);
    expect(listener?.tls?.certificateRefs).toEqual([{ kind: 'Secret', name: 'little-ecom-tls', namespace: 'little-ecom' }]);
  });

  it('covers the Ingress host too, and refuses to render without a host', () => {
    const withIngress = render(VALUE_SETS['production'], ['--set', 'certificate.enabled=true']);
    const spec = byKind(withIngress, 'Certificate')[0]!.spec as { dnsNames: string[]; secretName: string };
    const ingress = byKind(withIngress, 'Ingress')[0]!.spec as { tls: { secretName: string; hosts: string[] }[] };
    expect(spec.dnsNames).toEqual(ingress.tls[0]!.hosts);
    expect(spec.secretName).toBe(ingress.tls[0]!.secretName);
    expect(byKind(withIngress, 'ReferenceGrant')).toEqual([]);
    const none = helm(['template', RELEASE, CHART, '--set', 'certificate.enabled=true', '--set', 'ingress.enabled=false']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain('certificate.enabled needs ingress.enabled or httpRoute.enabled');
  });

  it('docs/deploy.md makes Gateway API the default for new clusters, and install.sh does', () => {
    expect(read('docs/deploy.md')).toMatch(/Gateway API is the default for new clusters/);
    expect(read('infra/platform/install.sh')).toMatch(/else echo gateway-api; fi/);
  });
});

describe('ingress-nginx, kept for the clusters that run it', () => {
  it('is pinned at its last patch release (4.14.3, controller v1.14.3) or later', () => {
    const [major, minor, patch] = VERSIONS['INGRESS_NGINX_CHART_VERSION']!.split('.').map(Number);
    expect(major! * 10_000 + minor! * 100 + patch!).toBeGreaterThanOrEqual(41403);
  });

  it('keeps the default annotations risk level, which the chart Ingress fits', () => {
    const values = parse(read('infra/platform/values/ingress-nginx.yaml')) as { controller: { config: Record<string, string> } };
    expect(values.controller.config).not.toHaveProperty('annotations-risk-level');
    expect(values.controller.config['allow-snippet-annotations']).toBe('false');
    const ingress = byKind(render(VALUE_SETS['production']), 'Ingress')[0]!;
    const nginx = Object.keys(ingress.metadata.annotations ?? {}).filter((a) => a.startsWith('nginx.ingress.kubernetes.io/'));
    // Low/Medium risk annotations only (none of the Critical snippet family).
    expect(nginx.sort()).toEqual(
      ['force-ssl-redirect', 'limit-burst-multiplier', 'limit-connections', 'limit-rps', 'proxy-body-size'].map(
        (a) => `nginx.ingress.kubernetes.io/${a}`,
      ),
    );
  });
});
