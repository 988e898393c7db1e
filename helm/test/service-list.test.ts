import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPONENTS, SERVICE_LIST, SUBGRAPHS } from './support/service-list.js';
import { NAMESPACE, RELEASE, ROOT, VALUE_SETS, byKind, render } from './support/tools.js';

// Everything outside a subgraph's folder that enumerates the services, checked against subgraphs.json
// (docs/adding-a-subgraph.md lists the files a new subgraph touches).
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const portOf = (component: string) =>
  component === 'gateway' ? SERVICE_LIST.gateway.port : SUBGRAPHS.find((s) => s.name === component)!.port;
const name = (component: string) => `${RELEASE}-little-ecom-${component}`;

interface ComponentValues {
  port: number;
  image: { repository: string };
  mongodbDatabase?: string;
  secretEnv: Record<string, { key: string }>;
}
interface Container {
  name: string;
  ports: { containerPort: number }[];
  env: { name: string; value?: string }[];
}
interface Rule {
  to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
  ports?: { port: number | string }[];
}

describe('subgraphs.json', () => {
  it('names each subgraph once, on its own port, with its own database and URL variable', () => {
    const unique = (values: unknown[]) => new Set(values).size === values.length;
    expect(SUBGRAPHS.length).toBeGreaterThan(0);
    expect(unique(SUBGRAPHS.map((s) => s.name))).toBe(true);
    expect(unique([SERVICE_LIST.gateway.port, ...SUBGRAPHS.map((s) => s.port)])).toBe(true);
    expect(unique(SUBGRAPHS.map((s) => s.database))).toBe(true);
    expect(unique(SUBGRAPHS.map((s) => s.urlEnv))).toBe(true);
  });
});

describe('the chart deploys exactly the listed services', () => {
  const values = parse(read('helm/little-ecom/values.yaml')) as Record<string, unknown> & { subgraphs: string[] };
  const schema = JSON.parse(read('helm/little-ecom/values.schema.json')) as {
    properties: Record<string, unknown>;
    required: string[];
  };

  it('lists the subgraphs in values, each with its block, port, image, database and database secret', () => {
    expect(values.subgraphs).toEqual(SUBGRAPHS.map((s) => s.name));
    for (const component of COMPONENTS) {
      const c = values[component] as ComponentValues;
      expect(c.port, component).toBe(portOf(component));
      expect(c.image.repository, component).toBe(component);
      expect(schema.properties[component], `values.schema.json: ${component}`).toBeDefined();
      expect(schema.required, `values.schema.json: ${component} required`).toContain(component);
    }
    for (const s of SUBGRAPHS) {
      const c = values[s.name] as ComponentValues;
      expect(c.mongodbDatabase, s.name).toBe(s.database);
      expect(c.secretEnv['MONGODB_URI']?.key, s.name).toBe(`${s.name}-mongodb-uri`);
    }
  });

  it.each(Object.entries(VALUE_SETS))('renders a Deployment per service on its port, with %s values', (_set, files) => {
    const manifests = render(files);
    const deployments = byKind(manifests, 'Deployment');
    // The services, and the storefront's static server (helm/test/web.test.ts).
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...COMPONENTS, 'web'].map(name).sort());
    for (const component of COMPONENTS) {
      const deployment = deployments.find((d) => d.metadata.name === name(component))!;
      const container = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
      expect(container.ports[0]?.containerPort, component).toBe(portOf(component));
      expect(container.env.find((e) => e.name === 'PORT')?.value, component).toBe(String(portOf(component)));
      if (component === 'gateway') {
        for (const s of SUBGRAPHS) {
          expect(container.env.find((e) => e.name === s.urlEnv)?.value, s.urlEnv).toBe(
            `http://${name(s.name)}.${NAMESPACE}.svc:${s.port}/graphql`,
          );
        }
      } else {
        const database = SUBGRAPHS.find((s) => s.name === component)!.database;
        expect(container.env.find((e) => e.name === 'MONGODB_DB')?.value, component).toBe(database);
      }
    }
    const services = byKind(manifests, 'Service');
    expect(services.map((s) => s.metadata.name).sort()).toEqual([...COMPONENTS, 'web'].map(name).sort());
  });

  it('lets the gateway reach every subgraph, and every subgraph but accounts reach the accounts JWKS', () => {
    const policies = byKind(render(), 'NetworkPolicy');
    const egress = (component: string) =>
      (policies.find((p) => p.metadata.name === name(component))!.spec as { egress: Rule[] }).egress;
    const reaches = (from: string, to: string) =>
      egress(from).some(
        (r) =>
          r.to?.some((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component'] === to) &&
          r.ports?.some((p) => p.port === portOf(to)),
      );
    for (const s of SUBGRAPHS) {
      expect(reaches('gateway', s.name), `gateway -> ${s.name}`).toBe(true);
      if (s.name !== 'accounts') expect(reaches(s.name, 'accounts'), `${s.name} -> accounts`).toBe(true);
    }
  });

  it('has platform values only for listed services', () => {
    const platform = parse(read('infra/platform/values/little-ecom.yaml')) as Record<string, unknown>;
    const componentKeys = Object.keys(platform).filter(
      (key) => (values[key] as { port?: unknown } | undefined)?.port !== undefined,
    );
    for (const key of componentKeys) expect(COMPONENTS, key).toContain(key);
  });
});

describe('infra enumerates the listed services', () => {
  it('compose.yaml runs each service on its port; the gateway points at each subgraph', () => {
    const compose = parse(read('infra/compose.yaml'), { merge: true }) as {
      services: Record<string, { profiles?: string[]; ports?: string[]; environment?: Record<string, string> }>;
    };
    const app = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('app'));
    expect(app.map(([n]) => n).sort()).toEqual([...COMPONENTS].sort());
    for (const component of COMPONENTS) {
      const service = compose.services[component]!;
      const port = portOf(component);
      expect(service.environment?.['PORT'], component).toBe(String(port));
      expect(service.ports, component).toEqual([`127.0.0.1:${port}:${port}`]);
    }
    for (const s of SUBGRAPHS) {
      expect(compose.services['gateway']!.environment?.[s.urlEnv]).toBe(`http://${s.name}:${s.port}/graphql`);
    }
  });

  it('the image build reads the list (images.test.ts checks the table it gets)', () => {
    expect(read('infra/docker/build.sh')).toContain('source infra/docker/services.sh');
    expect(read('infra/docker/services.sh')).toContain('scripts/service-list.mjs" images)');
  });

  it('install.sh creates the MongoDB users and their secrets from the list (platform.test checks the manifest)', () => {
    const install = read('infra/platform/install.sh');
    expect(install).toContain('scripts/service-list.mjs" subgraphs');
    expect(install).not.toMatch(/products-mongodb-uri|for user in products/);
  });
});
