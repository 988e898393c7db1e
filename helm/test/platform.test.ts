import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeconform } from './support/kubeconform.js';
import { PLATFORM, manifestFiles, renderManifest, resources as manifests } from './support/platform.js';
import { SUBGRAPHS } from './support/service-list.js';
import { ROOT, run } from './support/tools.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('infra/platform', () => {
  // The RabbitMQ Cluster Operator's CRD is not published as a Go module; RabbitmqCluster is checked below.
  const UNVALIDATED_KINDS = ['RabbitmqCluster'];

  it('every platform manifest, as install.sh renders it, passes the pinned API schemas and operator CRDs', () => {
    const files = manifestFiles();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const text = files.map(renderManifest).join('\n---\n');
    const { status, resources } = kubeconform(text, UNVALIDATED_KINDS);
    const problems = resources
      .filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped')
      .map((r) => `${r.kind}/${r.name}: ${r.msg}`);
    expect(problems).toEqual([]);
    expect(status).toBe(0);
    const skipped = resources.filter((r) => r.status === 'statusSkipped').map((r) => r.kind);
    expect(new Set(skipped)).toEqual(new Set(UNVALIDATED_KINDS));
    for (const kind of [
      'MongoDBCommunity',
      'Elasticsearch',
      'Kibana',
      'ApmServer',
      'StatefulSet',
      'Job',
      'DaemonSet',
      'CronJob',
      'Gateway',
      'PrometheusRule',
    ]) {
      expect(resources.find((r) => r.kind === kind)?.status, kind).toBe('statusValid');
    }
  });

  it('RabbitMQ is persistent, keeps its operator user and imports infra/rabbitmq/definitions.json after boot', () => {
    const [cluster] = manifests('rabbitmq.yaml');
    expect(cluster?.apiVersion).toBe('rabbitmq.com/v1beta1');
    expect(cluster?.kind).toBe('RabbitmqCluster');
    const spec = cluster!.spec as {
      replicas: number;
      persistence: { storage: string };
      rabbitmq: { additionalConfig: string };
      override: unknown;
    };
    expect(spec.replicas).toBeGreaterThanOrEqual(3);
    expect(spec.persistence.storage).toMatch(/^\d+Gi$/);
    // load_definitions at boot makes RabbitMQ skip its default user: the operator's credentials
    // would be refused on a fresh cluster (and the definitions hold no users, see below).
    expect(spec.rabbitmq.additionalConfig).not.toContain('load_definitions');
    expect(JSON.stringify(spec.override)).toContain('little-ecom-rabbitmq-definitions');
    const install = readFileSync(join(PLATFORM, 'install.sh'), 'utf8');
    expect(install).toContain(
      'little-ecom-rabbitmq-definitions --from-file=definitions.json="$ROOT/infra/rabbitmq/definitions.json"',
    );
    // Imported once the cluster is up, which merges the topology and keeps existing users.
    const ready = install.indexOf('rabbitmqcluster/little-ecom-rabbitmq --for=condition=AllReplicasReady');
    const imported = install.indexOf('rabbitmqctl import_definitions /etc/rabbitmq/definitions/definitions.json');
    expect(ready).toBeGreaterThan(0);
    expect(imported).toBeGreaterThan(ready);
    // Same for docker compose: its default_user only exists without load_definitions.
    const composeConf = read('infra/compose/rabbitmq.conf');
    expect(composeConf).toMatch(/^default_user = /m);
    expect(composeConf).not.toMatch(/^load_definitions/m);
  });

  it('the RabbitMQ definitions hold topology only, on the vhost the AMQP URL install.sh builds points at', () => {
    const definitions = JSON.parse(read('infra/rabbitmq/definitions.json')) as {
      users?: unknown[];
      permissions?: unknown[];
      vhosts?: { name: string }[];
      exchanges?: { name: string; vhost: string }[];
    };
    // Credentials belong to the operator's default user (and compose's rabbitmq.conf), not to this
    // file; that is safe because the file is imported after boot, never loaded at boot.
    expect(definitions.users ?? []).toEqual([]);
    expect(definitions.permissions ?? []).toEqual([]);
    expect((definitions.vhosts ?? [{ name: '/' }]).map((v) => v.name)).toEqual(['/']);
    expect(definitions.exchanges?.some((e) => e.name === 'little-ecom.events')).toBe(true);
    // No vhost path: the default vhost "/".
    expect(readFileSync(join(PLATFORM, 'install.sh'), 'utf8')).toContain('@little-ecom-rabbitmq.rabbitmq.svc:5672"');
  });

  it('MongoDB is a replica set with one user per subgraph, limited to its own database', () => {
    const [mongo] = manifests('mongodb.yaml');
    const spec = mongo!.spec as {
      type: string;
      members: number;
      users: { name: string; roles: { name: string; db: string }[] }[];
    };
    expect(spec.type).toBe('ReplicaSet');
    expect(spec.members).toBeGreaterThanOrEqual(3);
    expect(spec.users.map((u) => [u.name, u.roles])).toEqual([
      ...SUBGRAPHS.map((s) => [s.name, [{ name: 'readWrite', db: s.database }]]),
      // The backup CronJob's user: dump and restore only (manifests/mongodb-backup.yaml).
      [
        'backup',
        [
          { name: 'backup', db: 'admin' },
          { name: 'restore', db: 'admin' },
        ],
      ],
    ]);
  });

  it('the services ship logs where Fluentd listens, and Fluentd writes daily little-ecom indices', () => {
    const values = parse(read('helm/little-ecom/values.yaml')) as {
      logging: { fluentd: { host: string; port: number; tagPrefix: string } };
    };
    const fluentd = manifests('logging-full/fluentd.yaml');
    const service = fluentd.find((r) => r.kind === 'Service')!;
    expect(values.logging.fluentd.host).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`);
    expect(JSON.stringify(service.spec)).toContain(`"port":${values.logging.fluentd.port}`);
    const conf = read('infra/fluentd/fluent.conf');
    expect(conf).toMatch(/<source>\s*@type forward[\s\S]*?port 24224/);
    expect(conf).toContain(`<match ${values.logging.fluentd.tagPrefix}.**>`);
    expect(conf).toMatch(/logstash_format true[\s\S]*logstash_prefix little-ecom[\s\S]*logstash_dateformat %Y\.%m\.%d/);
    expect(conf).toContain('template_file /fluentd/etc/little-ecom-index-template.json');
  });

  it('install.sh parses, pins every chart, and installs the platform before little-ecom', () => {
    expect(run('bash', ['-n', join(PLATFORM, 'install.sh')]).status).toBe(0);
    const install = readFileSync(join(PLATFORM, 'install.sh'), 'utf8');
    const versions = Object.fromEntries(
      readFileSync(join(PLATFORM, 'versions.env'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split('=') as [string, string]),
    );
    for (const [name, value] of Object.entries(versions)) {
      expect(value, name).toMatch(/\d+\.\d+/);
      expect(value, name).not.toMatch(/latest/);
    }
    for (const chart of ['ingress-nginx/ingress-nginx', 'mongodb/mongodb-kubernetes', 'elastic/eck-operator']) {
      expect(install).toMatch(new RegExp(`${chart} --version "\\$[A-Z_]+"`));
    }
    const order = [
      'ingress-nginx',
      'mongodb.yaml',
      'rabbitmq.yaml',
      'elastic.yaml',
      'fluentd.yaml',
      'kibana-import-job.yaml',
      'helm upgrade --install little-ecom',
    ];
    const positions = order.map((step) => install.indexOf(step));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(install).toContain('--set-file supergraph="$ROOT/gateway/supergraph.graphql"');
  });
});

describe('infra/compose.yaml', () => {
  const compose = parse(read('infra/compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: { context: string; dockerfile: string; args?: Record<string, string> };
        command?: string[];
        profiles?: string[];
        volumes?: string[];
        environment?: Record<string, string>;
      }
    >;
  };

  it('runs MongoDB as a replica set, RabbitMQ with the management UI and our definitions, and Mailpit', () => {
    expect(compose.services['mongodb']?.command).toEqual(expect.arrayContaining(['--replSet']));
    expect(compose.services['rabbitmq']?.image).toMatch(/^rabbitmq:[\d.]+-management$/);
    expect(compose.services['rabbitmq']?.volumes).toContain('./rabbitmq/definitions.json:/etc/rabbitmq/definitions.json:ro');
    expect(compose.services['mailpit']?.image).toMatch(/^axllent\/mailpit:v[\d.]+$/);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) expect(service.image, name).not.toMatch(/:latest$/);
    }
  });

  it('builds the four services from the one Dockerfile, with their build arguments', () => {
    for (const [name, dir, port] of [
      ['gateway', 'gateway', '4000'],
      ['products', 'subgraphs/products', '4001'],
      ['accounts', 'subgraphs/accounts', '4002'],
      ['notifications', 'subgraphs/notifications', '4003'],
    ]) {
      const build = compose.services[name!]?.build;
      expect(build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(build?.args).toEqual({ SERVICE: name, SERVICE_DIR: dir, PORT: port });
      expect(existsSync(join(ROOT, 'infra', build!.context, build!.dockerfile))).toBe(true);
    }
    expect(compose.services['products']?.environment?.['MONGODB_URI']).toContain('directConnection=true');
    expect(compose.services['products']?.environment?.['NODE_ENV']).toBe('development');
    // `up` alone starts only the backing services `npm run dev` uses; the services are the `app` profile.
    for (const name of ['gateway', 'products', 'accounts', 'notifications'])
      expect(compose.services[name]?.profiles).toEqual(['app']);
    for (const name of ['mongodb', 'rabbitmq', 'mailpit']) expect(compose.services[name]?.profiles).toBeUndefined();
  });
});
