import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.js';

const req = (forwardedFor: string | undefined, peer = '10.0.0.9') =>
  ({
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress: peer },
  }) as Parameters<typeof clientIp>[0];

describe('clientIp', () => {
  it('trusts no proxy by default: X-Forwarded-For is ignored', () => {
    expect(clientIp(req('203.0.113.5'), 0)).toBe('10.0.0.9');
  });

  it('takes the rightmost entry the trusted hops did not add', () => {
    expect(clientIp(req('203.0.113.5'), 1)).toBe('203.0.113.5');
    // The client sent a forged entry; our one proxy appended the real address.
    expect(clientIp(req('1.2.3.4, 203.0.113.5'), 1)).toBe('203.0.113.5');
    expect(clientIp(req('1.2.3.4, 203.0.113.5, 10.0.0.7'), 2)).toBe('203.0.113.5');
  });

  it('falls back to the leftmost entry of a short chain and to the peer for garbage', () => {
    expect(clientIp(req('203.0.113.5'), 3)).toBe('203.0.113.5');
    expect(clientIp(req(undefined), 1)).toBe('10.0.0.9');
    expect(clientIp(req('not-an-ip'), 1)).toBe('10.0.0.9');
  });
});
