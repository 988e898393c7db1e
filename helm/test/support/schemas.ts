import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8S_API } from './tools.js';

/**
 * Turns the Kubernetes OpenAPI v2 spec and the Gateway API CRDs (fetched by scripts/tools.sh from the
 * Go module proxy) into kubeconform's standalone strict JSON schemas, the way openapi2jsonschema
 * does: one file per group/version/kind, every $ref inlined, objects closed with
 * additionalProperties: false so a misspelt field fails like the API server's strict field validation.
 */

type Schema = Record<string, unknown>;
const GENERATOR_VERSION = '1';

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** kubeconform's file name for a kind: `{{ .ResourceKind }}{{ .KindSuffix }}.json`. */
function schemaFileName({ group, version, kind }: Gvk): string {
  const suffix = group === '' ? version : `${group.split('.')[0]}-${version}`;
  return `${kind.toLowerCase()}-${suffix.toLowerCase()}.json`;
}

const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY = { oneOf: [{ type: 'string' }, { type: 'number' }] };

function strict(schema: Schema): Schema {
  if (schema['properties'] && schema['additionalProperties'] === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}

function convertOpenApi(definitions: Record<string, Schema>): Map<string, Schema> {
  const memo = new Map<string, Schema>();
  const convert = (node: unknown, stack: string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => convert(n, stack));
    if (!node || typeof node !== 'object') return node;
    const obj = node as Schema;
    const ref = obj['$ref'];
    if (typeof ref === 'string') {
      const name = ref.replace('#/definitions/', '');
      return definition(name, stack);
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(obj)) {
      if (key.startsWith('x-kubernetes-') || key === 'description') continue;
      out[key] =
        key === 'properties' || key === 'patternProperties'
          ? convertMap(value as Record<string, unknown>, stack)
          : convert(value, stack);
    }
    if (out['format'] === 'int-or-string') return INT_OR_STRING;
    return strict(out);
  };
  const convertMap = (map: Record<string, unknown>, stack: string[]) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, convert(v, stack)]));
  const definition = (name: string, stack: string[]): Schema => {
    if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') return INT_OR_STRING;
    if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return QUANTITY;
    const cached = memo.get(name);
    if (cached) return cached;
    // Only the CRD schema type (JSONSchemaProps) refers to itself; leave the recursion open there.
    if (stack.includes(name)) return {};
    const source = definitions[name];
    if (!source) throw new Error(`unknown definition ${name}`);
    const converted = convert(source, [...stack, name]) as Schema;
    memo.set(name, converted);
    return converted;
  };
  const byFile = new Map<string, Schema>();
  for (const [name, source] of Object.entries(definitions)) {
    const gvks = source['x-kubernetes-group-version-kind'] as Gvk[] | undefined;
    if (!gvks) continue;
    for (const gvk of gvks) {
      const schema = { ...definition(name, []) };
      const properties = { ...(schema['properties'] as Schema) };
      properties['apiVersion'] = { type: 'string', enum: [gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version] };
      properties['kind'] = { type: 'string', enum: [gvk.kind] };
      byFile.set(schemaFileName(gvk), { $schema: 'http://json-schema.org/schema#', ...schema, properties });
    }
  }
  return byFile;
}

function convertCrdSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertCrdSchema);
  if (!node || typeof node !== 'object') return node;
  const obj = node as Schema;
  if (obj['x-kubernetes-int-or-string']) return INT_OR_STRING;
  const out: Schema = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'description' || key.startsWith('x-kubernetes-validations')) continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, convertCrdSchema(v)]))
        : convertCrdSchema(value);
  }
  return strict(out);
}

function convertCrds(dir: string): Map<string, Schema> {
  const byFile = new Map<string, Schema>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[];
        };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema) continue;
        const gvk = { group: crd.spec.group, version: version.name, kind: crd.spec.names.kind };
        const schema = convertCrdSchema(version.schema.openAPIV3Schema) as Schema;
        const properties = { ...(schema['properties'] as Schema) };
        properties['apiVersion'] = { type: 'string', enum: [`${gvk.group}/${gvk.version}`] };
        properties['kind'] = { type: 'string', enum: [gvk.kind] };
        // metadata is validated by the API server itself; keep the ObjectMeta shape open here.
        properties['metadata'] = { type: 'object' };
        byFile.set(schemaFileName(gvk), { $schema: 'http://json-schema.org/schema#', ...schema, properties });
      }
    }
  }
  return byFile;
}

/** Generates the schemas once per pinned spec (cached under .tools/k8s-api/schemas) and returns their folder. */
export function ensureSchemas(): string {
  const stampFile = join(K8S_API, '.version');
  if (!existsSync(stampFile)) throw new Error(`${K8S_API} is missing: run \`bash scripts/tools.sh k8s-api\``);
  const stamp = createHash('sha256').update(readFileSync(stampFile)).update(GENERATOR_VERSION).digest('hex').slice(0, 16);
  const dir = join(K8S_API, `schemas-${stamp}`);
  if (existsSync(join(dir, '.complete'))) return dir;

  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const swagger = JSON.parse(readFileSync(join(K8S_API, 'swagger.json'), 'utf8')) as { definitions: Record<string, Schema> };
  const all = new Map([...convertOpenApi(swagger.definitions), ...convertCrds(join(K8S_API, 'crds'))]);
  for (const [file, schema] of all) {
    // List kinds only wrap items; nothing renders them.
    if (file.includes('list-')) continue;
    writeFileSync(join(tmp, file), JSON.stringify(schema));
  }
  writeFileSync(join(tmp, '.complete'), stamp);
  try {
    renameSync(tmp, dir);
  } catch {
    // Another worker got there first; its copy is the same.
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
