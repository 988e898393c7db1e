import { join } from 'node:path';
import { ensureSchemas } from './schemas.js';
import { kubernetesVersion, run, toolPath } from './tools.js';

/**
 * kubeconform in strict mode against the locally generated schemas only: a kind without a schema
 * is an error, never a silent skip or a download.
 */
let schemaDir: string | undefined;

export interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg: string;
}

/** Validates multi-document YAML and returns kubeconform's verdict for every resource. */
export function kubeconform(manifests: string, skipKinds: string[] = []) {
  schemaDir ??= ensureSchemas();
  const args = [
    '-strict',
    '-output',
    'json',
    '-verbose',
    '-kubernetes-version',
    kubernetesVersion(),
    '-schema-location',
    join(schemaDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
  ];
  if (skipKinds.length > 0) args.push('-skip', skipKinds.join(','));
  const result = run(toolPath('kubeconform'), [...args, '-'], manifests);
  const parsed = JSON.parse(result.stdout || '{"resources":[]}') as { resources: KubeconformResource[] };
  return { status: result.status, stderr: result.stderr, resources: parsed.resources };
}
