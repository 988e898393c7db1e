import { describe, expect, it } from 'vitest';
import { COMPOSE_DEVELOPMENT_GATEWAY_KEY, developmentDefaultProblems } from './production.js';

const names = (env: Parameters<typeof developmentDefaultProblems>[0]) => developmentDefaultProblems(env).map(([name]) => name);

describe('developmentDefaultProblems', () => {
  it('lists each development default left in production', () => {
    expect(
      names({
        NODE_ENV: 'production',
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
        JWT_ISSUER: 'http://localhost:4002',
        JWKS_URL: 'http://127.0.0.1:4002/.well-known/jwks.json',
        REVOCATIONS_URL: 'http://accounts.example.com/internal/revocations',
      }),
    ).toEqual(['AMQP_URL', 'JWT_ISSUER', 'JWKS_URL', 'REVOCATIONS_URL']);
    // No credentials means amqplib's guest login.
    expect(names({ NODE_ENV: 'production', AMQP_URL: 'amqp://rabbitmq:5672' })).toEqual(['AMQP_URL']);
    expect(names({ NODE_ENV: 'production', JWT_ISSUER: 'https://127.0.0.1' })).toEqual(['JWT_ISSUER']);
    // Development keys: the generated file (no GATEWAY_KEY) and the one published in infra/compose.yaml.
    expect(names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x' })).toEqual(['GATEWAY_KEY']);
    expect(names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x', GATEWAY_KEY: COMPOSE_DEVELOPMENT_GATEWAY_KEY })).toEqual([
      'GATEWAY_KEY',
    ]);
  });

  it('refuses the published development key however it is spelled, as the key bytes it decodes to', () => {
    // decodeGatewayKey trims and base64url-decodes, so each of these is the same key to the services.
    const spellings = [
      `${COMPOSE_DEVELOPMENT_GATEWAY_KEY}\n`,
      ` ${COMPOSE_DEVELOPMENT_GATEWAY_KEY}\r\n`,
      `${COMPOSE_DEVELOPMENT_GATEWAY_KEY}=`,
      // 49 characters: the last one's 6 bits make no whole byte, so any letter there decodes alike.
      `${COMPOSE_DEVELOPMENT_GATEWAY_KEY.slice(0, -1)}1`,
    ];
    for (const key of spellings)
      expect(names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x', GATEWAY_KEY: key }), JSON.stringify(key)).toEqual([
        'GATEWAY_KEY',
      ]);
    expect(
      names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x', GATEWAY_KEY: 'a-real-secret-of-more-than-32-bytes-000000000' }),
    ).toEqual([]);
  });

  it('accepts production settings, in-cluster plain http for service names, and anything in development', () => {
    expect(
      names({
        NODE_ENV: 'production',
        AMQP_URL: 'amqps://shop:secret@rabbitmq.example:5671',
        JWT_ISSUER: 'https://api.example.com',
        JWKS_URL: 'http://little-ecom-accounts:4002/.well-known/jwks.json',
        REVOCATIONS_URL: 'http://accounts.shop.svc.cluster.local:4002/internal/revocations',
      }),
    ).toEqual([]);
    expect(
      names({ NODE_ENV: 'development', AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', JWT_ISSUER: 'http://localhost:4002' }),
    ).toEqual([]);
  });
});
