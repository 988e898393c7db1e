import { describe, expect, it } from 'vitest';
import { CHART, RELEASE, byKind, helm, render, type Manifest } from './support/tools.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Rule {
  to?: unknown[];
  ports?: { port: number | string }[];
}

const gatewayName = `${RELEASE}-little-ecom-gateway`;
const gatewayEnv = (manifests: Manifest[]): EnvVar[] => {
  const deployment = byKind(manifests, 'Deployment').find((d) => d.metadata.name === gatewayName)!;
  const spec = deployment.spec as { template: { spec: { containers: { name: string; env: EnvVar[] }[] } } };
  return spec.template.spec.containers[0]!.env;
};
const egressPorts = (manifests: Manifest[], component: string): (number | string)[] => {
  const policy = byKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name === `${RELEASE}-little-ecom-${component}`)!;
  return ((policy.spec as { egress: Rule[] }).egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
};

describe('gateway response cache and persisted queries in the chart', () => {
  it('by default: in-memory cache, trusted documents only, no Redis variable or egress', () => {
    const manifests = render();
    const env = gatewayEnv(manifests);
    expect(env).toContainEqual({ name: 'RESPONSE_CACHE', value: 'true' });
    // The README: production accepts the registered operations only; APQ is an opt-in value.
    expect(env).toContainEqual({ name: 'PERSISTED_QUERIES', value: 'trusted' });
    expect(env.map((e) => e.name)).not.toContain('REDIS_URL');
    expect(egressPorts(manifests, 'gateway')).not.toContain(6379);
  });

  it('with Redis: REDIS_URL from the Secret (it may hold a password), egress to Redis from the gateway only', () => {
    const manifests = render([], ['--set', 'gateway.cache.redis.enabled=true', '--set', 'gateway.persistedQueries=trusted']);
    const env = gatewayEnv(manifests);
    const redis = env.find((e) => e.name === 'REDIS_URL');
    expect(redis?.value).toBeUndefined();
    expect(redis?.valueFrom?.secretKeyRef?.key).toBe('redis-url');
    expect(env).toContainEqual({ name: 'REDIS_KEY_PREFIX', value: 'little-ecom:gateway:' });
    expect(env).toContainEqual({ name: 'PERSISTED_QUERIES', value: 'trusted' });
    expect(egressPorts(manifests, 'gateway')).toContain(6379);
    for (const subgraph of ['products', 'accounts', 'notifications'])
      expect(egressPorts(manifests, subgraph)).not.toContain(6379);
  });

  it('keeps automatic persisted queries as an opt-in value', () => {
    expect(gatewayEnv(render([], ['--set', 'gateway.persistedQueries=apq']))).toContainEqual({
      name: 'PERSISTED_QUERIES',
      value: 'apq',
    });
  });

  it('by default: the limits this schema needs (depth 10, 256 KiB bodies), not looser than the code defaults', () => {
    const env = gatewayEnv(render());
    expect(env).toContainEqual({ name: 'MAX_DEPTH', value: '10' });
    expect(env).toContainEqual({ name: 'BODY_LIMIT_BYTES', value: '262144' });
  });

  it('refuses an unknown persisted-query mode', () => {
    const result = helm(['template', RELEASE, CHART, '--set', 'gateway.persistedQueries=sometimes']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/schema|persistedQueries/);
  });
});
