import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_PATH, buildManifest, manifestText } from '../scripts/trusted-documents.js';
import { readManifest, sha256 } from './persisted-query-manifest.js';

describe('trusted-documents manifest', () => {
  it('is up to date with the operations it is built from', async () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(await manifestText());
  });

  it('lists each operation with the fragments it uses, keyed by the SHA-256 of the body', () => {
    const manifest = buildManifest([
      'fragment P on Product { id name }\nfragment Unused on Product { slug }\nquery One { products { edges { node { ...P } } } }',
    ]);
    expect(manifest.operations).toHaveLength(1);
    const [op] = manifest.operations;
    expect(op!.body).toContain('fragment P on Product');
    expect(op!.body).not.toContain('Unused');
    expect(op!.id).toBe(sha256(op!.body));
  });

  it('refuses a manifest whose ids are not the hashes of the bodies', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'little-ecom-pq-')), 'manifest.json');
    writeFileSync(
      path,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256('{ a }'), name: 'Evil', type: 'query', body: '{ b }' }],
      }),
    );
    expect(() => readManifest(path)).toThrow(/not the SHA-256/);
  });
});
