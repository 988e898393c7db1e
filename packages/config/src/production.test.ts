import { describe, expect, it } from 'vitest';
import {
  COMPOSE_DEVELOPMENT_GATEWAY_PUBLIC_KEY,
  COMPOSE_DEVELOPMENT_GATEWAY_SIGNING_KEY,
  developmentDefaultProblems,
} from './production.js';

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
    // Development keys: the generated file (no Secret) and the pair published in infra/compose.yaml
    // (a trailing newline from a file does not hide it).
    expect(names({ NODE_ENV: 'production', GATEWAY_DEV_SIGNING_KEY_FILE: '/x' })).toEqual(['GATEWAY_SIGNING_KEY']);
    expect(names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x' })).toEqual(['GATEWAY_PUBLIC_KEY']);
    const published = {
      NODE_ENV: 'production',
      GATEWAY_DEV_SIGNING_KEY_FILE: '/x',
      GATEWAY_SIGNING_KEY: `${COMPOSE_DEVELOPMENT_GATEWAY_SIGNING_KEY}\n`,
    };
    expect(names(published)).toEqual(['GATEWAY_SIGNING_KEY']);
    expect(
      names({ NODE_ENV: 'production', GATEWAY_DEV_KEY_FILE: '/x', GATEWAY_PUBLIC_KEY: COMPOSE_DEVELOPMENT_GATEWAY_PUBLIC_KEY }),
    ).toEqual(['GATEWAY_PUBLIC_KEY']);
  });

  it('refuses the published development keys however they are spelled, as the key bytes they decode to', () => {
    // The services trim and base64url-decode a key, so each of these spellings is the same key to them.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = (key: string) => [
      `${key}\n`,
      ` ${key}\r\n`,
      `${key}=`,
      // 43 characters hold 258 bits for 256: flipping the last character's lowest (spare) bit decodes alike.
      `${key.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(key.at(-1)!) ^ 1]}`,
    ];
    const cases = [
      ['GATEWAY_SIGNING_KEY', 'GATEWAY_DEV_SIGNING_KEY_FILE', COMPOSE_DEVELOPMENT_GATEWAY_SIGNING_KEY],
      ['GATEWAY_PUBLIC_KEY', 'GATEWAY_DEV_KEY_FILE', COMPOSE_DEVELOPMENT_GATEWAY_PUBLIC_KEY],
    ] as const;
    for (const [name, devFile, published] of cases) {
      for (const key of spellings(published))
        expect(names({ NODE_ENV: 'production', [devFile]: '/x', [name]: key }), JSON.stringify(key)).toEqual([name]);
      expect(names({ NODE_ENV: 'production', [devFile]: '/x', [name]: 'a-real-key-of-32-bytes-000000000000000000000' })).toEqual(
        [],
      );
    }
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
