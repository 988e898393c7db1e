import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeconform } from './support/kubeconform.js';
import { renderManifest, resources } from './support/platform.js';
import { SUBGRAPHS } from './support/service-list.js';
import { ROOT } from './support/tools.js';

/**
 * What operators expect around the services (docs/deploy.md §14): a RabbitMQ user per service with
 * only the rights its topology needs, a nightly MongoDB backup, and alert rules.
 */
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('RabbitMQ users (infra/rabbitmq/permissions.json)', () => {
  const permissions = JSON.parse(read('infra/rabbitmq/permissions.json')) as {
    services: Record<string, { configure: string; write: string; read: string }>;
  };
  /** The names a consuming service declares and uses (packages/events consumerTopology, prefix ''). */
  const own = (service: string) => [
    `${service}.events`,
    `${service}.events.retry.1000ms`,
    `${service}.events.retry.16000ms`,
    `${service}.events.dead-letter`,
    `${service}.dlx`,
  ];
  const can = (service: string, right: 'configure' | 'write' | 'read', name: string) =>
    new RegExp(permissions.services[service]![right]).test(name);
  const consumers = SUBGRAPHS.map((s) => s.name).filter((s) => s !== 'accounts');

  it('one user per subgraph of subgraphs.json', () => {
    expect(Object.keys(permissions.services).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
  });

  it('every service publishes to the events exchange; consumers declare, bind and read their own queues only', () => {
    for (const service of Object.keys(permissions.services)) {
      expect(can(service, 'configure', 'little-ecom.events'), service).toBe(true);
      expect(can(service, 'write', 'little-ecom.events'), service).toBe(true);
    }
    for (const service of consumers) {
      for (const name of own(service)) {
        for (const right of ['configure', 'write', 'read'] as const)
          expect(can(service, right, name), `${service} ${right} ${name}`).toBe(true);
      }
      // Retries are published to the retry queues through the default exchange.
      expect(can(service, 'write', 'amq.default'), service).toBe(true);
      // Binding a queue to the events exchange needs read on the exchange.
      expect(can(service, 'read', 'little-ecom.events'), service).toBe(true);
      for (const other of consumers.filter((o) => o !== service))
        for (const name of own(other))
          for (const right of ['configure', 'write', 'read'] as const)
            expect(can(service, right, name), `${service} must not ${right} ${name}`).toBe(false);
    }
  });

  it('accounts only publishes: it reads nothing and writes to no queue', () => {
    expect(permissions.services['accounts']!.read).toBe('^$');
    for (const service of consumers) for (const name of own(service)) expect(can('accounts', 'write', name)).toBe(false);
    expect(can('accounts', 'write', 'amq.default')).toBe(false);
  });

  it('the queues of definitions.json belong to the service whose user may use them', () => {
    const definitions = JSON.parse(read('infra/rabbitmq/definitions.json')) as { queues: { name: string }[] };
    for (const { name } of definitions.queues) {
      const owner = name.split('.')[0]!;
      expect(can(owner, 'read', name), name).toBe(true);
    }
  });

  it('install.sh gives each subgraph its own user and URL, and none the admin user', () => {
    const install = read('infra/platform/install.sh');
    expect(install).toContain('rabbitmqctl set_permissions -p / "little-ecom-$service" "$configure" "$write" "$read"');
    expect(install).toContain('--from-literal=$service-amqp-url=amqp://little-ecom-$service:');
    expect(install).not.toContain('little-ecom-rabbitmq-default-user');
  });
});

describe('MongoDB backup (manifests/mongodb-backup.yaml)', () => {
  const [pvc, cronJob] = resources('mongodb-backup.yaml');

  it('dumps every database nightly to a volume, one run at a time, as the backup user', () => {
    expect(pvc?.kind).toBe('PersistentVolumeClaim');
    expect(cronJob?.kind).toBe('CronJob');
    const spec = cronJob!.spec as {
      schedule: string;
      concurrencyPolicy: string;
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: {
                command: string[];
                env: { valueFrom: { secretKeyRef: { name: string } } }[];
                volumeMounts: { mountPath: string }[];
              }[];
              volumes: { persistentVolumeClaim?: { claimName: string } }[];
            };
          };
        };
      };
    };
    expect(spec.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(spec.concurrencyPolicy).toBe('Forbid');
    const pod = spec.jobTemplate.spec.template.spec;
    const script = pod.containers[0]!.command.join(' ');
    expect(script).toMatch(/mongodump --uri="\$MONGODB_URI".*--oplog/s);
    expect(script).toContain('--archive=');
    expect(pod.containers[0]!.env[0]!.valueFrom.secretKeyRef.name).toBe('little-ecom-mongodb-admin-backup');
    expect(pod.volumes.some((v) => v.persistentVolumeClaim?.claimName === pvc!.metadata.name)).toBe(true);
  });

  it('docs/deploy.md documents the restore with mongorestore from that volume', () => {
    const docs = read('docs/deploy.md');
    expect(docs).toMatch(/mongorestore --uri="\$MONGODB_URI".*--gzip --archive=/s);
    expect(docs).toContain('little-ecom-mongodb-backups');
  });
});

describe('alert rules (manifests/prometheus-rules.yaml)', () => {
  const [rule] = resources('prometheus-rules.yaml');
  const groups = (
    rule!.spec as {
      groups: {
        name: string;
        rules: { alert: string; expr: string; for: string; labels: { severity: string }; annotations: Record<string, string> }[];
      }[];
    }
  ).groups;
  const rules = groups.flatMap((g) => g.rules);
  const byAlert = (name: string) => rules.find((r) => r.alert === name)?.expr ?? '';

  it('passes the PrometheusRule CRD schema', () => {
    const { resources: results } = kubeconform(renderManifest('prometheus-rules.yaml'));
    expect(results.map((r) => `${r.kind}: ${r.status} ${r.msg}`)).toEqual(['PrometheusRule: statusValid ']);
  });

  it('alerts on outbox lag, dead letters, 5xx rate, p95 latency and pod restarts', () => {
    expect(byAlert('LittleEcomOutboxLag')).toContain('outbox_oldest_pending_age_seconds');
    expect(byAlert('LittleEcomDeadLetters')).toMatch(/rabbitmq_queue_messages\{queue=~"\.\+\\\\.events\\\\.dead-letter"\}/);
    expect(byAlert('LittleEcomHigh5xxRate')).toContain('status="5xx"');
    expect(byAlert('LittleEcomSlowGraphQL')).toMatch(/histogram_quantile\(0\.95,.*graphql_request_duration_seconds_bucket/s);
    expect(byAlert('LittleEcomPodRestarting')).toContain('kube_pod_container_status_restarts_total');
  });

  it('every rule is well formed: unique name, balanced expression, a duration, a severity, a summary', () => {
    const observability = read('docs/observability.md');
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.alert, r.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      const depth = [...r.expr].reduce((d, c) => (d < 0 ? d : d + (c === '(' ? 1 : c === ')' ? -1 : 0)), 0);
      expect(depth, `${r.alert}: parentheses`).toBe(0);
      expect(r.expr, r.alert).not.toContain('${');
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations['summary'], r.alert).toBeTruthy();
      expect(r.annotations['description'], r.alert).toBeTruthy();
      // The services' metrics it uses are the ones docs/observability.md lists.
      for (const [metric] of r.expr.matchAll(/\b(outbox|consumer|graphql|http_server|emails)_[a-z_]+/g)) {
        const base = metric.replace(/_(bucket|sum|count)$/, '');
        expect(observability, `${r.alert}: ${metric}`).toContain(base);
      }
    }
  });
});

describe('metrics-server for the HPAs', () => {
  it('docs/deploy.md says the HPAs need it', () => {
    expect(read('docs/deploy.md')).toMatch(/metrics-server/);
  });
});
