import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { COMPONENTS } from './support/service-list.js';
import { ROOT, VALUE_SETS, byKind, render, templateText, type Manifest } from './support/tools.js';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[];
const podOf = (d: Manifest) =>
  (d.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { env: Env }[] } } }).template;
const envOf = (d: Manifest) => Object.fromEntries(podOf(d).spec.containers[0]!.env.map((e) => [e.name, e]));

describe('traces and metrics in the chart', () => {
  // The storefront's static server (web) has no metrics and no traces: only the services are checked.
  const services = (manifests: Manifest[]) => byKind(manifests, 'Deployment').filter((d) => !d.metadata.name.endsWith('-web'));

  it('annotates every pod for scraping /metrics on its own port', () => {
    for (const deployment of services(render())) {
      const annotations = podOf(deployment).metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape'], deployment.metadata.name).toBe('true');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      expect(Number(annotations['prometheus.io/port'])).toBeGreaterThan(0);
    }
  });

  it('leaves tracing off by default, and wires the OTLP endpoint, ratio and token header when set', () => {
    for (const deployment of byKind(render(), 'Deployment'))
      expect(envOf(deployment)['OTEL_EXPORTER_OTLP_ENDPOINT']).toBeUndefined();
    const traced = services(render(VALUE_SETS['production']));
    expect(traced).toHaveLength(COMPONENTS.length);
    for (const deployment of traced) {
      const env = envOf(deployment);
      expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.value).toBe('http://little-ecom-apm-http.logging.svc:8200');
      expect(env['OTEL_TRACES_SAMPLER_ARG']?.value).toBe('0.1');
      expect(env['OTEL_RESOURCE_ATTRIBUTES']?.value).toMatch(/^service\.version=[^,]+,deployment\.environment\.name=production,/);
      expect(env['OTEL_EXPORTER_OTLP_HEADERS']?.valueFrom?.secretKeyRef?.key).toBe('otel-exporter-otlp-headers');
    }
    // The pods may reach the APM intake only when tracing is on.
    const egressPorts = (manifests: Manifest[]) =>
      byKind(manifests, 'NetworkPolicy').flatMap((p) =>
        ((p.spec as { egress?: { ports?: { port: number }[] }[] }).egress ?? []).flatMap((e) =>
          (e.ports ?? []).map((x) => x.port),
        ),
      );
    expect(egressPorts(render(VALUE_SETS['production']))).toContain(8200);
    expect(egressPorts(render())).not.toContain(8200);
  });

  it('renders a ServiceMonitor per service only when asked, scraping /metrics on the http port', () => {
    expect(byKind(render(), 'ServiceMonitor')).toEqual([]);
    const monitors = byKind(
      render(
        [],
        [
          '--set',
          'observability.metrics.serviceMonitor.enabled=true',
          '--set',
          'observability.metrics.serviceMonitor.labels.release=prom',
        ],
      ),
      'ServiceMonitor',
    );
    expect(monitors).toHaveLength(COMPONENTS.length);
    for (const m of monitors) {
      expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(m.metadata.labels?.['release']).toBe('prom');
      expect((m.spec as { endpoints: unknown[] }).endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    }
  });

  it('never routes /metrics (or the health endpoints) from the public Ingress or HTTPRoute', () => {
    for (const [set, files] of Object.entries(VALUE_SETS)) {
      for (const doc of parseAllDocuments(templateText(files))) {
        const m = doc.toJS() as Manifest | null;
        if (!m || (m.kind !== 'Ingress' && m.kind !== 'HTTPRoute')) continue;
        // What reaches the gateway: `/` (Prefix) goes to the storefront's static server, nothing else.
        const toGateway =
          m.kind === 'Ingress'
            ? (m.spec as { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] }).rules.flatMap((r) =>
                r.http.paths.filter((p) => p.backend.service.name.endsWith('-gateway')),
              )
            : (m.spec as { rules: { backendRefs: { name: string }[] }[] }).rules.filter((r) =>
                r.backendRefs.some((b) => b.name.endsWith('-gateway')),
              );
        expect(toGateway.length, set).toBeGreaterThan(0);
        expect(JSON.stringify(toGateway), set).not.toMatch(/"(\/|\/metrics|\/healthz|\/readyz)"/);
      }
    }
    for (const [path, type] of [
      ['/', 'Prefix'],
      ['/metrics', 'Exact'],
    ] as const) {
      expect(() =>
        templateText([], ['--set', `ingress.paths[0].path=${path}`, '--set', `ingress.paths[0].pathType=${type}`]),
      ).toThrow(/would expose \/metrics/);
    }
  });

  it('the platform sends traces to an ECK APM Server next to the logs', () => {
    const elastic = parseAllDocuments(readFileSync(join(ROOT, 'infra/platform/manifests/logging-full/elastic.yaml'), 'utf8')).map(
      (d) => d.toJS() as Manifest & { spec: { version: string; elasticsearchRef: { name: string } } },
    );
    const apm = elastic.find((r) => r.kind === 'ApmServer')!;
    const es = elastic.find((r) => r.kind === 'Elasticsearch')!;
    expect(apm.spec.elasticsearchRef.name).toBe(es.metadata.name);
    expect(apm.spec.version).toBe(es.spec.version);
    expect(readFileSync(join(ROOT, 'infra/platform/install.sh'), 'utf8')).toContain('otel-exporter-otlp-headers=');
  });
});
