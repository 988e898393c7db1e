import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './tools.js';

/** infra/platform: the manifests as install.sh applies them (versions.env substituted). */
export const PLATFORM = join(ROOT, 'infra/platform');
export const MANIFESTS = join(PLATFORM, 'manifests');

/** versions.env: NAME -> value. */
export const VERSIONS: Record<string, string> = Object.fromEntries(
  readFileSync(join(PLATFORM, 'versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

/** What install.sh passes besides versions.env (namespace, checksums), with stand-in values. */
export const INSTALL_VALUES: Record<string, string> = {
  LITTLE_ECOM_NAMESPACE: 'little-ecom',
  SETUP_SHA: '0123456789abcdef',
  SAVED_OBJECTS_SHA: '0123456789abcdef',
  FLUENTD_CONFIG_SHA: '0123456789abcdef',
  FLUENT_BIT_CONFIG_SHA: '0123456789abcdef',
};

/** Every manifest file under manifests/, relative to it (mongodb.yaml, logging-full/elastic.yaml, ...). */
export function manifestFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? walk(path) : entry.endsWith('.yaml') ? [path] : [];
    });
  return walk(MANIFESTS)
    .map((path) => relative(MANIFESTS, path))
    .sort();
}

/** A manifest's text as install.sh's `render` makes it: ${NAME} of versions.env and INSTALL_VALUES replaced. */
export function renderManifest(file: string): string {
  let text = readFileSync(join(MANIFESTS, file), 'utf8');
  for (const [name, value] of Object.entries({ ...VERSIONS, ...INSTALL_VALUES })) text = text.replaceAll(`\${${name}}`, value);
  return text;
}

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}
export const resources = (file: string) => parseAllDocuments(renderManifest(file)).map((d) => d.toJS() as Resource);
