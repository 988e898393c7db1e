import { describe, expect, it } from 'vitest';
import { COMPONENTS } from './support/service-list.js';
import { RELEASE, VALUE_SETS, render, type Manifest } from './support/tools.js';

/**
 * Egress rules follow the configured endpoints (docs/deploy.md §8): the SMTP relay's port is the one of
 * smtp-url (465 and 587 both work), and the OTLP and Fluentd peers and ports come from their URLs, so
 * a value set pointing elsewhere does not silently lose its traces, logs or mail.
 */
type Peer = { namespaceSelector?: { matchLabels?: Record<string, string> }; ipBlock?: { cidr: string } };
type Rule = { to?: Peer[]; ports?: { port: number | string; protocol?: string }[] };

const egress = (manifests: Manifest[], component: string): Rule[] => {
  const policy = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === `${RELEASE}-little-ecom-${component}`);
  if (!policy) throw new Error(`no NetworkPolicy for ${component}`);
  return (policy.spec as { egress: Rule[] }).egress;
};
const ports = (rules: Rule[]) => rules.flatMap((r) => (r.ports ?? []).map((p) => p.port));
/** The rules that allow `port`, as [peer, port] pairs. */
const towards = (rules: Rule[], port: number) =>
  rules.filter((r) => (r.ports ?? []).some((p) => p.port === port)).map((r) => ({ to: r.to, ports: r.ports }));
const SMTP_PORTS = [465, 587, 25, 2525];

describe('SMTP egress', () => {
  it.each([
    ['defaults', VALUE_SETS['defaults']],
    ['production', VALUE_SETS['production']],
  ])('with the %s values, notifications reaches a relay on 465 and on 587 (the port is not known yet)', (_set, files) => {
    const manifests = render(files);
    expect(ports(egress(manifests, 'notifications'))).toEqual(expect.arrayContaining([465, 587]));
  });

  it.each([465, 587])('with smtp-url on port %i (notifications.smtpPort), notifications reaches exactly that port', (port) => {
    for (const files of [VALUE_SETS['defaults'], VALUE_SETS['production']]) {
      const manifests = render(files, ['--set', `notifications.smtpPort=${port}`]);
      const smtp = ports(egress(manifests, 'notifications')).filter((p) => SMTP_PORTS.includes(Number(p)));
      expect(smtp).toEqual([port]);
      for (const component of COMPONENTS.filter((c) => c !== 'notifications'))
        expect(ports(egress(manifests, component)), component).not.toContain(port);
    }
  });
});

describe('OTLP and Fluentd egress, derived from their URLs', () => {
  const inNamespace = (ns: string) => [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }];

  it("production: APM Server's namespace and port from the OTLP endpoint, Fluentd's from its host", () => {
    const manifests = render(VALUE_SETS['production']);
    for (const component of COMPONENTS) {
      const rules = egress(manifests, component);
      expect(towards(rules, 8200), component).toEqual([{ to: inNamespace('logging'), ports: [{ port: 8200, protocol: 'TCP' }] }]);
      expect(towards(rules, 24224), component).toEqual([
        { to: inNamespace('logging'), ports: [{ port: 24224, protocol: 'TCP' }] },
      ]);
    }
  });

  it.each([
    ['http://otel-collector.observability.svc.cluster.local:4318', 4318, inNamespace('observability')],
    ['https://apm.example.com', 443, [{ ipBlock: { cidr: '0.0.0.0/0' } }]],
    ['http://10.1.2.3:4318', 4318, [{ ipBlock: { cidr: '10.1.2.3/32' } }]],
  ])('otlpEndpoint %s: port %i to %j', (url, port, to) => {
    const manifests = render([], ['--set', `observability.tracing.otlpEndpoint=${url}`]);
    expect(towards(egress(manifests, 'products'), port)).toEqual([{ to, ports: [{ port, protocol: 'TCP' }] }]);
  });

  it('no OTLP rule without tracing, and explicit peers and ports win over the URL', () => {
    expect(towards(egress(render(), 'products'), 8200)).toEqual([]);
    const manifests = render(
      [],
      [
        '--set',
        'observability.tracing.otlpEndpoint=http://apm.logging.svc:8200',
        '--set',
        'networkPolicy.otlp.to[0].ipBlock.cidr=10.9.0.0/16',
        '--set',
        'networkPolicy.otlp.ports[0].port=8201',
      ],
    );
    expect(towards(egress(manifests, 'products'), 8201)).toEqual([
      { to: [{ ipBlock: { cidr: '10.9.0.0/16' } }], ports: [{ port: 8201 }] },
    ]);
  });

  it('Fluentd elsewhere: a Fluent Bit forward input in another namespace and port', () => {
    const manifests = render(
      [],
      ['--set', 'logging.fluentd.host=fluent-bit.observability.svc.cluster.local', '--set', 'logging.fluentd.port=24225'],
    );
    expect(towards(egress(manifests, 'gateway'), 24225)).toEqual([
      { to: inNamespace('observability'), ports: [{ port: 24225, protocol: 'TCP' }] },
    ]);
    expect(ports(egress(manifests, 'gateway'))).not.toContain(24224);
  });
});
