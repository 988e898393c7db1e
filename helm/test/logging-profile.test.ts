import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLATFORM, resources, type Resource } from './support/platform.js';
import { ROOT } from './support/tools.js';

/**
 * The two logging profiles of docs/deploy.md §10: what each one asks of the cluster (requests, summed
 * here from the manifests and checked against the docs), and that both ship every container's log
 * with a retention policy.
 */
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const GiB = 1024 ** 3;

function bytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!m) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(m[1]) * { Ki: 1024, Mi: 1024 ** 2, Gi: GiB, '': 1 }[m[2] ?? '']!;
}
function millicores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

interface Requests {
  memory: number;
  cpu: number;
}
type Container = { resources?: { requests?: { memory?: string; cpu?: string } } };
const sumContainers = (containers: Container[], times: number): Requests =>
  containers.reduce(
    (acc, c) => ({
      memory: acc.memory + bytes(c.resources?.requests?.memory ?? '0') * times,
      cpu: acc.cpu + millicores(c.resources?.requests?.cpu ?? '0') * times,
    }),
    { memory: 0, cpu: 0 },
  );

/** Requests of every pod a manifest file runs (a DaemonSet counted once: one node, as on kind). */
function requestsOf(file: string): Requests {
  let total = { memory: 0, cpu: 0 };
  const add = (r: Requests) => (total = { memory: total.memory + r.memory, cpu: total.cpu + r.cpu });
  for (const r of resources(file) as (Resource & { spec: Record<string, never> })[]) {
    const spec = r.spec as Record<string, unknown>;
    switch (r.kind) {
      case 'Elasticsearch':
        for (const set of spec['nodeSets'] as { count: number; podTemplate: { spec: { containers: Container[] } } }[])
          add(sumContainers(set.podTemplate.spec.containers, set.count));
        break;
      case 'Kibana':
      case 'ApmServer':
        add(
          sumContainers((spec['podTemplate'] as { spec: { containers: Container[] } }).spec.containers, spec['count'] as number),
        );
        break;
      case 'StatefulSet':
      case 'DaemonSet':
      case 'Deployment': {
        const template = (spec['template'] as { spec: { containers: Container[] } }).spec;
        add(sumContainers(template.containers, r.kind === 'DaemonSet' ? 1 : ((spec['replicas'] as number | undefined) ?? 1)));
        break;
      }
      case 'Job':
        add(sumContainers((spec['template'] as { spec: { containers: Container[] } }).spec.containers, 1));
        break;
    }
  }
  return total;
}
const operator = () => {
  const values = parse(read('infra/platform/values/eck-operator.yaml')) as {
    resources: { requests: { memory: string; cpu: string } };
  };
  return { memory: bytes(values.resources.requests.memory), cpu: millicores(values.resources.requests.cpu) };
};
const sum = (...parts: Requests[]) =>
  parts.reduce((a, b) => ({ memory: a.memory + b.memory, cpu: a.cpu + b.cpu }), { memory: 0, cpu: 0 });
const SHARED = ['fluent-bit.yaml', 'elasticsearch-setup-job.yaml', 'kibana-import-job.yaml'];
const PROFILES = {
  light: sum(operator(), ...['logging-light/elastic.yaml', ...SHARED].map(requestsOf)),
  full: sum(operator(), ...['logging-full/elastic.yaml', 'logging-full/fluentd.yaml', ...SHARED].map(requestsOf)),
};
const gib = (n: number) => (n / GiB).toFixed(1);

describe('logging profiles', () => {
  it('light fits a laptop: at most 4 GiB of requests in all', () => {
    // The totals docs/deploy.md §10 quotes, printed so a change to the manifests shows its new sizes.
    // eslint-disable-next-line no-console
    console.log(
      `logging requests: light ${gib(PROFILES.light.memory)} GiB / ${PROFILES.light.cpu}m CPU; full ${gib(PROFILES.full.memory)} GiB / ${PROFILES.full.cpu}m CPU`,
    );
    expect(PROFILES.light.memory).toBeLessThanOrEqual(4 * GiB);
  });

  it('docs/deploy.md states both profiles with the sizes the manifests ask for', () => {
    const docs = read('docs/deploy.md');
    for (const [name, r] of Object.entries(PROFILES))
      expect(docs, name).toMatch(
        new RegExp(`^\\| \\*\\*${name}\\*\\* +\\| ${gib(r.memory)} GiB +\\| ${(r.cpu / 1000).toFixed(2)} CPU +\\|`, 'm'),
      );
  });

  it('light runs one Elasticsearch node with a small heap (at most half its memory) and no replicas', () => {
    const [es] = resources('logging-light/elastic.yaml');
    const set = (
      es!.spec['nodeSets'] as {
        count: number;
        podTemplate: { spec: { containers: (Container & { env: { name: string; value: string }[] })[] } };
      }[]
    )[0]!;
    expect(set.count).toBe(1);
    const container = set.podTemplate.spec.containers[0]!;
    const heap = /-Xmx(\d+)m/.exec(container.env.find((e) => e.name === 'ES_JAVA_OPTS')!.value)![1]!;
    expect(Number(heap) * 1024 ** 2).toBeLessThanOrEqual(bytes(container.resources!.requests!.memory!) / 2);
    for (const file of ['little-ecom-index-template.json', 'containers-index-template.json']) {
      const template = JSON.parse(read(`infra/elasticsearch/${file}`)) as { template: { settings: Record<string, unknown> } };
      // 0 replicas on one node (green), 1 on the full profile's three.
      expect(template.template.settings['auto_expand_replicas'], file).toBe('0-1');
      expect(template.template.settings['index.lifecycle.name'], file).toBe('little-ecom-logs');
    }
  });

  it('the ILM policy deletes old indices', () => {
    const policy = JSON.parse(read('infra/elasticsearch/little-ecom-ilm-policy.json')) as {
      policy: { phases: { delete?: { min_age: string; actions: Record<string, unknown> } } };
    };
    expect(policy.policy.phases.delete?.actions).toHaveProperty('delete');
    expect(policy.policy.phases.delete?.min_age).toMatch(/^\d+d$/);
  });

  it('Fluent Bit tails every container on every node, mongod and the ingress included', () => {
    const conf = read('infra/fluent-bit/fluent-bit.conf');
    expect(conf).toMatch(/Path\s+\/var\/log\/containers\/\*\.log/);
    // Only its own log is left out (it would log its own shipping).
    expect(conf).toMatch(
      /Exclude_Path\s+\/var\/log\/containers\/\*_\$\{LITTLE_ECOM_NAMESPACE\}_\*\.log,\/var\/log\/containers\/fluent-bit-\*_logging_\*\.log/,
    );
    const ds = resources('fluent-bit.yaml').find((r) => r.kind === 'DaemonSet')!;
    const pod = (
      ds.spec['template'] as { spec: { tolerations: { operator: string }[]; volumes: { hostPath?: { path: string } }[] } }
    ).spec;
    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    expect(pod.volumes.some((v) => v.hostPath?.path === '/var/log')).toBe(true);
    expect(read('infra/fluent-bit/output-light.conf')).toMatch(
      /Name\s+es[\s\S]*Logstash_Prefix\s+little-ecom[\s\S]*Logstash_Prefix\s+containers/,
    );
    expect(read('infra/fluent-bit/output-full.conf')).toMatch(/Name\s+forward[\s\S]*Host\s+fluentd\.logging\.svc/);
    expect(read('infra/fluentd/fluent.conf')).toMatch(/<match kube\.\*\*>[\s\S]*?logstash_prefix containers/);
  });

  it('install.sh picks the profile and keeps the full one the default', () => {
    const install = readFileSync(join(PLATFORM, 'install.sh'), 'utf8');
    expect(install).toContain('LOGGING_PROFILE="${LOGGING_PROFILE:-full}"');
    expect(install).toContain('manifests/logging-$LOGGING_PROFILE/elastic.yaml');
  });
});
