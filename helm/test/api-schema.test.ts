import { describe, expect, it } from 'vitest';
import { kubeconform } from './support/kubeconform.js';
import { VALUE_SETS, kubernetesVersion, templateText } from './support/tools.js';

/**
 * Every rendered manifest against the API schemas of the pinned Kubernetes release (plus the
 * Gateway API CRDs), offline, with kubeconform in strict mode: unknown fields, wrong types and
 * missing required fields fail, as the API server's strict field validation would.
 */
describe(`Kubernetes ${kubernetesVersion()} API schemas`, () => {
  it.each(Object.entries(VALUE_SETS))('accept every manifest rendered with the %s values', (_set, files) => {
    const withSecret = ['--set', 'secrets.existingSecret=', '--set-string', 'secrets.values.products-amqp-url=amqp://example'];
    const rendered = [templateText(files), templateText(files, withSecret)].join('\n---\n');
    const { status, resources, stderr } = kubeconform(rendered);
    const problems = resources.filter((r) => r.status !== 'statusValid').map((r) => `${r.kind}/${r.name}: ${r.status} ${r.msg}`);
    expect(problems).toEqual([]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const kinds = new Set(resources.map((r) => r.kind));
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'Secret']) expect(kinds).toContain(kind);
  });

  it.each([
    ['an unknown field', (y: string) => y.replace('maxUnavailable: 0', 'maxUnavailable: 0\n      maxUnavialable: 1')],
    ['a wrong type', (y: string) => y.replace(/terminationGracePeriodSeconds: \d+/, 'terminationGracePeriodSeconds: soon')],
    ['a missing required field', (y: string) => y.replace(/containerPort: \d+/, 'protocol: TCP')],
    ['an unknown kind', (y: string) => y.replace('kind: Deployment', 'kind: Deploymint')],
  ])('reject %s (the check can fail)', (_what, mutate) => {
    const original = templateText();
    const mutated = mutate(original);
    expect(mutated).not.toBe(original);
    const { status, resources } = kubeconform(mutated);
    expect(status).not.toBe(0);
    expect(resources.some((r) => r.status === 'statusInvalid' || r.status === 'statusError')).toBe(true);
  });
});
