import { describe, expect, it } from 'vitest';
import { ConfigError } from '@little-ecom/config';
import { loadGatewayConfig } from './config.js';

describe('gateway config', () => {
  it('has working local defaults, with CORS open only in development', () => {
    const dev = loadGatewayConfig({});
    expect(dev.http.port).toBe(4000);
    expect(dev.production).toBe(false);
    expect(dev.corsOrigins).toEqual(['*']);
    // No URL overrides: the served supergraph's URLs apply (the shipped one gives the local ports).
    expect(dev.subgraphUrls).toEqual({});
    const production = { NODE_ENV: 'production', GATEWAY_SIGNING_KEY: 'k'.repeat(43) };
    expect(loadGatewayConfig(production).corsOrigins).toEqual([]);
    expect(loadGatewayConfig({ ...production, CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    // Production signs subgraph requests with a Secret, never the generated development key.
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(/GATEWAY_SIGNING_KEY: is required/);
  });

  it('lets env variables override every default and reports every bad one', () => {
    expect(loadGatewayConfig({ PRODUCTS_URL: 'http://products:4001/graphql', MAX_DEPTH: '7' })).toMatchObject({
      subgraphUrls: { products: 'http://products:4001/graphql' },
      limits: { maxDepth: 7 },
    });
    expect(() => loadGatewayConfig({ PRODUCTS_URL: 'ftp://x', MAX_DEPTH: '-1', NODE_ENV: 'staging' })).toThrow(ConfigError);
    try {
      loadGatewayConfig({ PRODUCTS_URL: 'ftp://x', MAX_DEPTH: '-1', NODE_ENV: 'staging' });
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });
});
