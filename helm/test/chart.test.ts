import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CHART,
  NAMESPACE,
  RELEASE,
  ROOT,
  VALUE_SETS,
  byKind,
  helm,
  run,
  render,
  templateText,
  type Manifest,
} from './support/tools.js';
import { COMPONENTS } from './support/service-list.js';

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  startupProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  volumes?: { name: string; emptyDir?: unknown; configMap?: { name: string } }[];
  topologySpreadConstraints?: unknown[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

const deployments = (manifests: Manifest[]) => byKind(manifests, 'Deployment');
const template = (d: Manifest) => (d.spec as { template: PodTemplate }).template;
const podSpecs = (manifests: Manifest[]): [string, PodSpec][] => [
  ...deployments(manifests).map((d): [string, PodSpec] => [d.metadata.name, template(d).spec]),
  ...byKind(manifests, 'Pod').map((p): [string, PodSpec] => [p.metadata.name, p.spec as unknown as PodSpec]),
];
const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
};
const name = (component: string) => `${RELEASE}-little-ecom-${component}`;

describe('helm lint --strict', () => {
  it.each(Object.entries(VALUE_SETS))('passes with the %s values', (_set, files) => {
    const result = helm(['lint', '--strict', CHART, ...files.flatMap((f) => ['--values', join(ROOT, f)])]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe.each(Object.entries(VALUE_SETS))('rendered with the %s values', (set, files) => {
  const manifests = render(files);

  it('deploys the four services, each with a Service and a ServiceAccount that mounts no token', () => {
    for (const component of COMPONENTS) {
      find(manifests, 'Deployment', name(component));
      find(manifests, 'Service', name(component));
      const sa = find(manifests, 'ServiceAccount', name(component));
      expect(sa['automountServiceAccountToken']).toBe(false);
    }
  });

  it('gives every container resources, a hardened security context and (for services) all three probes', () => {
    const specs = podSpecs(manifests);
    expect(specs.length).toBeGreaterThanOrEqual(4);
    for (const [owner, spec] of specs) {
      expect(spec.automountServiceAccountToken, owner).toBe(false);
      expect(spec.securityContext, owner).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      const tmp = spec.volumes?.find((v) => v.name === 'tmp');
      expect(tmp?.emptyDir, `${owner} has an emptyDir /tmp`).toBeDefined();
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${owner}/${c.name}`;
        expect(c.resources?.requests?.['cpu'], where).toBeDefined();
        expect(c.resources?.requests?.['memory'], where).toBeDefined();
        expect(c.resources?.limits?.['memory'], where).toBeDefined();
        expect(c.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(
          c.volumeMounts?.some((m) => m.name === 'tmp' && m.mountPath === '/tmp'),
          where,
        ).toBe(true);
        expect(c.image, where).toMatch(/:[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/);
        expect(c.image, where).not.toMatch(/:latest(@|$)/);
      }
    }
    for (const d of deployments(manifests)) {
      for (const c of template(d).spec.containers) {
        const where = `${d.metadata.name}/${c.name}`;
        expect(c.startupProbe?.httpGet?.path, where).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path, where).toBe('/readyz');
        expect(c.livenessProbe?.httpGet?.path, where).toBe('/healthz');
      }
    }
  });

  it('rolls out without dropping requests: surge only, preStop sleep, grace longer than preStop + drain', () => {
    for (const d of deployments(manifests)) {
      const spec = d.spec as { strategy: { type: string; rollingUpdate: { maxUnavailable: number } } };
      expect(spec.strategy.type).toBe('RollingUpdate');
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const pod = template(d).spec;
      const container = pod.containers[0]!;
      const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(preStop).toBeGreaterThan(0);
      const drainMs = Number(container.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value);
      expect(drainMs).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drainMs / 1000);
      if (set !== 'network-policies-off') expect(pod.topologySpreadConstraints?.length).toBeGreaterThan(0);
    }
  });

  it('image tags default to the chart appVersion', () => {
    const { appVersion } = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    for (const d of deployments(manifests))
      expect(template(d).spec.containers[0]!.image).toMatch(new RegExp(`:${appVersion.replaceAll('.', '\\.')}$`));
  });

  it('wires the services to each other and reads every secret from a Secret', () => {
    const env = (component: string) => {
      const c = template(find(manifests, 'Deployment', name(component))).spec.containers[0]!;
      return new Map((c.env ?? []).map((e) => [e.name, e]));
    };
    const gateway = env('gateway');
    expect(gateway.get('PRODUCTS_URL')?.value).toBe(`http://${name('products')}.${NAMESPACE}.svc:4001/graphql`);
    expect(gateway.get('ACCOUNTS_URL')?.value).toBe(`http://${name('accounts')}.${NAMESPACE}.svc:4002/graphql`);
    expect(gateway.get('NOTIFICATIONS_URL')?.value).toBe(`http://${name('notifications')}.${NAMESPACE}.svc:4003/graphql`);
    expect(gateway.get('SUPERGRAPH_PATH')?.value).toBe('/etc/little-ecom/supergraph/supergraph.graphql');
    for (const component of ['products', 'notifications']) {
      expect(env(component).get('JWKS_URL')?.value).toBe(
        `http://${name('accounts')}.${NAMESPACE}.svc:4002/.well-known/jwks.json`,
      );
    }
    const secretVars: Record<string, string[]> = {
      products: ['MONGODB_URI', 'AMQP_URL'],
      accounts: ['MONGODB_URI', 'AMQP_URL', 'JWT_SIGNING_KEYS'],
      notifications: ['MONGODB_URI', 'AMQP_URL', 'SMTP_URL'],
    };
    for (const [component, vars] of Object.entries(secretVars)) {
      const e = env(component);
      for (const v of vars) {
        expect(e.get(v)?.value, `${component} ${v}`).toBeUndefined();
        expect(e.get(v)?.valueFrom?.secretKeyRef?.key, `${component} ${v}`).toBeTruthy();
      }
    }
  });

  it('puts the supergraph in a ConfigMap mounted into the gateway', () => {
    const cm = find(manifests, 'ConfigMap', `${RELEASE}-little-ecom-supergraph`);
    expect(cm.data?.['supergraph.graphql']).toContain('@join__graph');
    const pod = template(find(manifests, 'Deployment', name('gateway'))).spec;
    expect(pod.volumes?.find((v) => v.name === 'supergraph')?.configMap?.name).toBe(cm.metadata.name);
  });

  it('has PodDisruptionBudgets and HPAs exactly when enabled', () => {
    const expected = set === 'network-policies-off' ? 0 : COMPONENTS.length;
    // The storefront (web) has a budget but a fixed replica count: static files need no autoscaling.
    expect(byKind(manifests, 'PodDisruptionBudget')).toHaveLength(expected === 0 ? 0 : expected + 1);
    expect(byKind(manifests, 'HorizontalPodAutoscaler')).toHaveLength(expected);
    for (const d of deployments(manifests).filter((d) => d.metadata.name !== name('web'))) {
      // With an HPA the Deployment must not fight it over the replica count.
      expect((d.spec as { replicas?: number }).replicas === undefined).toBe(expected > 0);
    }
  });
});

describe('supergraph', () => {
  it('the chart default is gateway/supergraph.graphql itself (a symlink helm follows and packages)', () => {
    expect(realpathSync(join(CHART, 'files/supergraph.graphql'))).toBe(realpathSync(join(ROOT, 'gateway/supergraph.graphql')));
    const copy = readFileSync(join(CHART, 'files/supergraph.graphql'), 'utf8');
    const source = readFileSync(join(ROOT, 'gateway/supergraph.graphql'), 'utf8');
    expect(copy).toBe(source);
  });

  it('helm package ships the supergraph content, not the symlink', () => {
    const out = mkdtempSync(join(tmpdir(), 'little-ecom-package-'));
    try {
      const packaged = helm(['package', CHART, '--destination', out]);
      expect(packaged.status, packaged.stderr).toBe(0);
      const archive = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
      const listing = run('tar', ['-xzOf', join(out, archive), 'little-ecom/files/supergraph.graphql']);
      expect(listing.status).toBe(0);
      expect(listing.stdout).toBe(readFileSync(join(ROOT, 'gateway/supergraph.graphql'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a new supergraph changes the checksum annotation, so the gateway rolls', () => {
    const checksum = (extra: string[]) => {
      const gateway = find(render([], extra), 'Deployment', name('gateway'));
      return template(gateway).metadata.annotations?.['checksum/supergraph'];
    };
    const shipped = readFileSync(join(CHART, 'files/supergraph.graphql'), 'utf8');
    const base = checksum([]);
    expect(base).toBe(createHash('sha256').update(shipped).digest('hex'));
    const changed = checksum(['--set-string', 'supergraph=type Query { changed: Boolean }']);
    expect(changed).toMatch(/^[a-f0-9]{64}$/);
    expect(changed).not.toBe(base);
    // Subgraphs do not roll for a schema change.
    const products = find(
      render([], ['--set-string', 'supergraph=type Query { changed: Boolean }']),
      'Deployment',
      name('products'),
    );
    expect(template(products).metadata.annotations?.['checksum/supergraph']).toBeUndefined();
  });

  it('rollOnChange=false leaves the reload to the gateway file watcher', () => {
    const gateway = find(render([], ['--set', 'gateway.supergraph.rollOnChange=false']), 'Deployment', name('gateway'));
    expect(template(gateway).metadata.annotations?.['checksum/supergraph']).toBeUndefined();
  });
});

describe('secrets', () => {
  const SECRET_VALUES = {
    'products-mongodb-uri': 'mongodb://products:s3cr3t-products@mongo:27017/products',
    'products-amqp-url': 'amqps://app:s3cr3t-amqp@rabbit:5671',
    'jwt-signing-keys': '[{"kty":"EC","crv":"P-256","d":"s3cr3t-private-d"}]',
  };

  it.each(Object.entries(VALUE_SETS))('renders no Secret and no credential-looking value with the %s values', (_set, files) => {
    const text = templateText(files);
    expect(byKind(render(files), 'Secret')).toHaveLength(0);
    expect(text).not.toMatch(/(mongodb(\+srv)?|amqps?|smtps?):\/\/[^\s"']*:[^\s"'@]+@/);
    expect(text).not.toMatch(/"kty"|BEGIN [A-Z ]*PRIVATE KEY/);
  });

  it('creates a Secret from secrets.values, references it, and rolls pods when it changes', () => {
    const args = Object.entries(SECRET_VALUES).flatMap(([k, v]) => [
      '--set-string',
      `secrets.values.${k}=${v.replaceAll(',', '\\,')}`,
    ]);
    const manifests = render([], args);
    const secret = find(manifests, 'Secret', `${RELEASE}-little-ecom-secrets`);
    const data = secret.data ?? {};
    for (const [key, value] of Object.entries(SECRET_VALUES))
      expect(Buffer.from(data[key] ?? '', 'base64').toString()).toBe(value);
    // The values appear base64-encoded in the Secret only, never in plain text in a pod spec.
    for (const d of deployments(manifests)) expect(JSON.stringify(d)).not.toContain('s3cr3t');
    const accounts = template(find(manifests, 'Deployment', name('accounts')));
    expect(accounts.spec.containers[0]!.env?.find((e) => e.name === 'JWT_SIGNING_KEYS')?.valueFrom?.secretKeyRef).toEqual({
      name: secret.metadata.name,
      key: 'jwt-signing-keys',
    });
    const before = accounts.metadata.annotations?.['checksum/secret'];
    const rotated = render([], [...args, '--set-string', 'secrets.values.jwt-signing-keys=[]']);
    expect(template(find(rotated, 'Deployment', name('accounts'))).metadata.annotations?.['checksum/secret']).not.toBe(before);
  });

  it('uses existingSecret, and per-variable Secret overrides, without creating a Secret', () => {
    const manifests = render(
      [],
      [
        '--set',
        'secrets.existingSecret=managed',
        '--set',
        'products.secretEnv.MONGODB_URI.name=mongodb-products-user',
        '--set',
        'products.secretEnv.MONGODB_URI.key=connectionString.standard',
      ],
    );
    expect(byKind(manifests, 'Secret')).toHaveLength(0);
    const env = template(find(manifests, 'Deployment', name('products'))).spec.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'MONGODB_URI')?.valueFrom?.secretKeyRef).toEqual({
      name: 'mongodb-products-user',
      key: 'connectionString.standard',
    });
    expect(env.find((e) => e.name === 'AMQP_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'managed',
      key: 'products-amqp-url',
    });
  });
});

describe('exposure', () => {
  it('the Ingress targets ingress-nginx with TLS, a body-size limit and rate limits', () => {
    const ingress = find(render(VALUE_SETS['production']), 'Ingress', name('gateway'));
    const spec = ingress.spec as {
      ingressClassName: string;
      tls: { hosts: string[]; secretName: string }[];
      rules: { host: string; http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
    };
    expect(spec.ingressClassName).toBe('nginx');
    expect(spec.tls[0]?.hosts).toEqual(['api.shop.example.com']);
    expect(spec.rules[0]?.http.paths[0]?.path).toBe('/graphql');
    expect(spec.rules[0]?.http.paths[0]?.backend.service.name).toBe(name('gateway'));
    const a = ingress.metadata.annotations ?? {};
    expect(a['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('1m');
    expect(Number(a['nginx.ingress.kubernetes.io/limit-rps'])).toBeGreaterThan(0);
    expect(Number(a['nginx.ingress.kubernetes.io/limit-connections'])).toBeGreaterThan(0);
  });

  it('the Gateway API option renders an HTTPRoute instead of the Ingress', () => {
    const manifests = render(VALUE_SETS['gateway-api']);
    expect(byKind(manifests, 'Ingress')).toHaveLength(0);
    const route = find(manifests, 'HTTPRoute', name('gateway'));
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(JSON.stringify(route.spec)).toContain(`"name":"${name('gateway')}","port":4000`);
  });

  it('the helm test hook posts a query to the gateway, expecting it refused under trusted documents', () => {
    const pod = find(render(), 'Pod', name('test'));
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const spec = pod.spec as unknown as PodSpec & { containers: (Container & { command: string[] })[] };
    expect(spec.containers[0]!.command.join(' ')).toContain('__typename');
    expect(spec.containers[0]!.env?.find((e) => e.name === 'GATEWAY_URL')?.value).toBe(
      `http://${name('gateway')}.${NAMESPACE}.svc:4000/graphql`,
    );
    expect(spec.containers[0]!.env?.find((e) => e.name === 'PERSISTED_QUERIES')?.value).toBe('trusted');
    expect(spec.containers[0]!.command.join(' ')).toContain('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('network policies', () => {
  type Peer = {
    podSelector?: { matchLabels?: Record<string, string> };
    namespaceSelector?: { matchLabels?: Record<string, string> };
    ipBlock?: unknown;
  };
  type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: number | string }[] };
  const policies = render();
  const policy = (component: string) =>
    find(policies, 'NetworkPolicy', name(component)).spec as { ingress: Rule[]; egress: Rule[] };
  const allowsComponent = (rules: Rule[], component: string, port?: number) =>
    rules.some(
      (r) =>
        (r.from ?? r.to ?? []).some(
          (p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === component && !p.namespaceSelector,
        ) &&
        (port === undefined || (r.ports ?? []).some((p) => p.port === port || p.port === 'http')),
    );
  const allowsPort = (rules: Rule[], port: number) => rules.some((r) => (r.ports ?? []).some((p) => p.port === port));

  it('deny everything by default for the release pods', () => {
    const deny = find(policies, 'NetworkPolicy', `${RELEASE}-little-ecom-default-deny`).spec as Record<string, unknown>;
    expect(deny['policyTypes']).toEqual(['Ingress', 'Egress']);
    expect(deny['ingress']).toBeUndefined();
    expect(deny['egress']).toBeUndefined();
    expect(deny['podSelector']).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'little-ecom', 'app.kubernetes.io/instance': RELEASE },
    });
  });

  it('allow ingress controller -> gateway -> subgraphs, and products/notifications -> accounts JWKS', () => {
    const gatewayIn = policy('gateway').ingress;
    expect(
      gatewayIn[0]?.from?.some((p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx'),
    ).toBe(true);
    for (const [subgraph, port] of [
      ['products', 4001],
      ['accounts', 4002],
      ['notifications', 4003],
    ] as const) {
      expect(allowsComponent(policy('gateway').egress, subgraph, port), `gateway -> ${subgraph}`).toBe(true);
      expect(allowsComponent(policy(subgraph).ingress, 'gateway'), `${subgraph} <- gateway`).toBe(true);
    }
    for (const client of ['products', 'notifications']) {
      expect(allowsComponent(policy(client).egress, 'accounts', 4002), `${client} -> accounts`).toBe(true);
      expect(allowsComponent(policy('accounts').ingress, client), `accounts <- ${client}`).toBe(true);
    }
    expect(allowsComponent(policy('gateway').egress, 'accounts', 4002)).toBe(true);
    expect(allowsComponent(policy('accounts').egress, 'accounts')).toBe(false);
  });

  it('allow subgraphs -> MongoDB and RabbitMQ, only notifications -> SMTP, everyone -> DNS and Fluentd', () => {
    for (const component of COMPONENTS) {
      const egress = policy(component).egress;
      expect(allowsPort(egress, 53), `${component} DNS`).toBe(true);
      expect(allowsPort(egress, 24224), `${component} fluentd`).toBe(true);
      const subgraph = component !== 'gateway';
      expect(allowsPort(egress, 27017), `${component} mongodb`).toBe(subgraph);
      expect(allowsPort(egress, 5672), `${component} rabbitmq`).toBe(subgraph);
      expect(allowsPort(egress, 587), `${component} smtp`).toBe(component === 'notifications');
    }
  });

  it('are absent when disabled', () => {
    expect(byKind(render(VALUE_SETS['network-policies-off']), 'NetworkPolicy')).toHaveLength(0);
  });
});

describe('values.schema.json', () => {
  it.each([
    ['an image tag `latest`', ['--set', 'gateway.image.tag=latest']],
    ['a misspelt key', ['--set', 'gateway.replicas=3']],
    ['an unknown log level', ['--set', 'config.logLevel=verbose']],
    ['resources without limits', ['--set', 'products.resources.limits=null']],
  ])('rejects %s', (_what, args) => {
    const result = helm(['template', RELEASE, CHART, ...args]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/schema|latest/);
  });
});
