import { describe, expect, it } from 'vitest';
import { ConfigError } from '@little-ecom/config';
import { loadOrdersConfig } from './config.js';

describe('orders config', () => {
  it('defaults to the local setup, with the generated development gateway key', () => {
    const config = loadOrdersConfig({});
    expect(config.http.port).toBe(4004);
    expect(config.gatewayKey.publicKey).toBeUndefined();
    expect(config.gatewayKey.audience).toBe('orders');
    expect(config.gatewayKey.devKeyFile).toMatch(/\.data\/gateway\/subgraph-key$/);
    expect(config.jwt.revocationsUrl).toBe('http://127.0.0.1:4002/internal/revocations');
  });

  it('refuses every development default in production, listing each in one error', () => {
    let problems: string[] = [];
    try {
      loadOrdersConfig({ NODE_ENV: 'production' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    for (const name of ['AMQP_URL', 'JWT_ISSUER', 'JWKS_URL', 'REVOCATIONS_URL', 'GATEWAY_PUBLIC_KEY'])
      expect(
        problems.some((p) => p.startsWith(`${name}: `)),
        name,
      ).toBe(true);
    const config = loadOrdersConfig({
      NODE_ENV: 'production',
      AMQP_URL: 'amqps://orders:secret@rabbitmq.example:5671',
      JWT_ISSUER: 'https://api.example.com',
      JWKS_URL: 'http://accounts:4002/.well-known/jwks.json',
      REVOCATIONS_URL: 'http://accounts:4002/internal/revocations',
      GATEWAY_PUBLIC_KEY: 'k'.repeat(43),
    });
    expect(config.production).toBe(true);
  });
});
