import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Apollo's persisted query manifest format (what `generate-persisted-query-manifest` writes). */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function readManifest(path: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as PersistedQueryManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    throw new Error(`${path} is not an Apollo persisted query manifest (version 1)`);
  }
  const documents = new Map<string, string>();
  for (const op of manifest.operations) {
    // The id is what clients send; it must be the hash of the body we would run.
    if (op.id !== sha256(op.body)) throw new Error(`${path}: operation ${op.name} has an id that is not the SHA-256 of its body`);
    documents.set(op.id, op.body);
  }
  return documents;
}
