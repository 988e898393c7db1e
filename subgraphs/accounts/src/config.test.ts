import { describe, expect, it } from 'vitest';
import { ConfigError } from '@little-ecom/config';
import { loadAccountsConfig, meetsOwaspArgon2 } from './config.js';

describe('accounts config', () => {
  it('defaults to the local setup, matching what products verifies against', () => {
    const config = loadAccountsConfig({});
    expect(config.http.port).toBe(4002);
    expect(config.mongo).toEqual({ uri: 'mongodb://127.0.0.1:27017', dbName: 'accounts' });
    expect(config.auth.tokens).toMatchObject({
      issuer: 'http://localhost:4002',
      audience: 'little-ecom',
      accessTtlSeconds: 900,
      refreshTtlSeconds: 30 * 86_400,
      resetTtlSeconds: 1_800,
    });
    expect(config.auth.argon2).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
    expect(config.keys.signingKeys).toBeUndefined();
    expect(config.keys.devKeyFile).toMatch(/\.data\/accounts\/jwt-signing-key\.json$/);
  });

  it('reads durations with or without units', () => {
    const config = loadAccountsConfig({ ACCESS_TOKEN_TTL: '600', REFRESH_TOKEN_TTL: '7d', LOGIN_THROTTLE_WINDOW: '2h' });
    expect(config.auth.tokens.accessTtlSeconds).toBe(600);
    expect(config.auth.tokens.refreshTtlSeconds).toBe(7 * 86_400);
    expect(config.auth.throttle.windowSeconds).toBe(7_200);
  });

  it('requires signing keys and OWASP-strength argon2 in production, reporting every problem at once', () => {
    try {
      loadAccountsConfig({ NODE_ENV: 'production', ARGON2_MEMORY_KIB: '1024', ACCESS_TOKEN_TTL: 'soon' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/ACCESS_TOKEN_TTL/);
    }
    try {
      loadAccountsConfig({ NODE_ENV: 'production', ARGON2_MEMORY_KIB: '1024' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/JWT_SIGNING_KEYS: is required in production/);
      expect(problems).toMatch(/ARGON2_MEMORY_KIB: argon2id below the OWASP minimum/);
    }
  });

  it('refuses every development default in production, listing each in one error', () => {
    const key = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', kid: 'k1' };
    try {
      loadAccountsConfig({ NODE_ENV: 'production', JWT_SIGNING_KEYS: JSON.stringify([key]) });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems.some((p) => p.startsWith('AMQP_URL: uses the guest account'))).toBe(true);
      expect(problems.some((p) => p.startsWith('JWT_ISSUER: must be the public https:// URL'))).toBe(true);
      expect(problems.some((p) => p.startsWith('GATEWAY_PUBLIC_KEY: is required'))).toBe(true);
      expect(problems.some((p) => p.startsWith('EVENT_SECRETS_KEY: is required'))).toBe(true);
      // TOTP secrets have their own key: notifications holds the events key.
      expect(problems.some((p) => p.startsWith('TOTP_SECRETS_KEY: is required'))).toBe(true);
    }
    const sameKey = () =>
      loadAccountsConfig({
        NODE_ENV: 'production',
        JWT_SIGNING_KEYS: JSON.stringify([key]),
        EVENT_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
        TOTP_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      });
    expect(sameKey).toThrow(/TOTP_SECRETS_KEY: must differ from EVENT_SECRETS_KEY/);
    // The same settings done right start.
    const ok = loadAccountsConfig({
      NODE_ENV: 'production',
      JWT_SIGNING_KEYS: JSON.stringify([key]),
      AMQP_URL: 'amqps://shop:s3cret@rabbitmq.example:5671',
      JWT_ISSUER: 'https://api.example.com',
      GATEWAY_PUBLIC_KEY: 'k'.repeat(43),
      EVENT_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      TOTP_SECRETS_KEY: Buffer.alloc(32, 9).toString('base64'),
    });
    expect(ok.production).toBe(true);
  });

  it('accepts a JSON array of private JWKs and refuses malformed ones', () => {
    const key = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', kid: 'k1' };
    expect(loadAccountsConfig({ JWT_SIGNING_KEYS: JSON.stringify([key]) }).keys.signingKeys).toEqual([key]);
    expect(() => loadAccountsConfig({ JWT_SIGNING_KEYS: '{"kty":"EC"}' })).toThrow(/JWT_SIGNING_KEYS/);
    expect(() => loadAccountsConfig({ JWT_SIGNING_KEYS: JSON.stringify([key, key]) })).toThrow(/distinct kid/);
  });

  it('knows the OWASP-equivalent argon2id settings', () => {
    expect(meetsOwaspArgon2(19_456, 2)).toBe(true);
    expect(meetsOwaspArgon2(47_104, 1)).toBe(true);
    expect(meetsOwaspArgon2(19_456, 1)).toBe(false);
    expect(meetsOwaspArgon2(4_096, 10)).toBe(false);
  });
});
