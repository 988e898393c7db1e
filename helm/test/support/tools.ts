import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART = join(ROOT, 'helm/little-ecom');
const BIN = join(ROOT, '.tools/bin');
export const K8S_API = join(ROOT, '.tools/k8s-api');

/** A pinned tool from scripts/tools.sh; missing tools fail the test instead of skipping it. */
export function toolPath(name: 'helm' | 'kubeconform' | 'actionlint'): string {
  const path = join(BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`bash scripts/tools.sh helm kubeconform actionlint k8s-api\` (npm test does)`);
  }
  return path;
}

/** The Kubernetes version whose API schemas the chart is validated against. */
export function kubernetesVersion(): string {
  const file = join(K8S_API, 'kubernetes-version');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/tools.sh k8s-api\``);
  return readFileSync(file, 'utf8').trim();
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its exit status and output (never throws on a non-zero exit). */
export function run(file: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): RunResult {
  const result = spawnSync(file, args, { encoding: 'utf8', input, env, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) return { status: 1, stdout: '', stderr: String(result.error) };
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function helm(args: string[]): RunResult {
  return run(toolPath('helm'), args);
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export const RELEASE = 'shop';
export const NAMESPACE = 'little-ecom';

const PRODUCTION = 'infra/platform/values/little-ecom.yaml';

/** The value sets every structural check runs over (paths from the repo root). */
export const VALUE_SETS = {
  defaults: [],
  production: [PRODUCTION],
  'gateway-api': [PRODUCTION, 'infra/platform/values/little-ecom-gateway-api.yaml'],
  'network-policies-off': ['helm/test/values/network-policies-off.yaml'],
} satisfies Record<string, string[]>;

/** `helm template` output as YAML text; throws with helm's message when rendering fails. */
export function templateText(valueFiles: string[] = [], extraArgs: string[] = []): string {
  const args = ['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', kubernetesVersion()];
  for (const file of valueFiles) args.push('--values', join(ROOT, file));
  const result = helm([...args, ...extraArgs]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

/** Rendered manifests, parsed. */
export function render(valueFiles: string[] = [], extraArgs: string[] = []): Manifest[] {
  const docs = parseAllDocuments(templateText(valueFiles, extraArgs));
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map(String).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    if (value) manifests.push(value);
  }
  return manifests;
}

export function byKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}
