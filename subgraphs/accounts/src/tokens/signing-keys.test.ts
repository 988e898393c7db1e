import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { generateSigningJwk, importSigningKeys, loadSigningKeys } from './signing-keys.js';

const logger = createLogger({ service: 'test', level: 'error' });

describe('signing keys', () => {
  it('signs with the first key and publishes every public half, never a private member', async () => {
    const [a, b] = [await generateSigningJwk(), await generateSigningJwk()];
    const keys = await importSigningKeys([a, b]);
    expect(keys.active.kid).toBe(a.kid);
    expect(keys.jwks.keys.map((k) => k.kid)).toEqual([a.kid, b.kid]);
    for (const published of keys.jwks.keys)
      expect(Object.keys(published).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('refuses symmetric or RSA keys', async () => {
    await expect(importSigningKeys([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }])).rejects.toThrow(/only ES256/);
    await expect(importSigningKeys([{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y', kid: 'r' }])).rejects.toThrow(/only ES256/);
  });

  it('generates a development key once, private to its owner, and reuses it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'accounts-keys-')), 'nested', 'jwt-signing-key.json');
    const first = await loadSigningKeys({ signingKeys: undefined, devKeyFile: file }, logger);
    const second = await loadSigningKeys({ signingKeys: undefined, devKeyFile: file }, logger);
    expect(second.active.kid).toBe(first.active.kid);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(1);
  });

  it('uses configured keys instead of the development file', async () => {
    const jwk = await generateSigningJwk();
    const keys = await loadSigningKeys({ signingKeys: [jwk], devKeyFile: '/nonexistent/never-written.json' }, logger);
    expect(keys.active.kid).toBe(jwk.kid);
  });
});
