import { describe, expect, it } from 'vitest';
import { ipKey } from './login-throttle.js';

describe('ipKey', () => {
  it('keeps IPv4 addresses and unwraps IPv4-mapped ones', () => {
    expect(ipKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('groups IPv6 addresses by /64', () => {
    expect(ipKey('2001:db8:0:1::42')).toBe('ip:2001:db8:0:1::/64');
    expect(ipKey('2001:0db8:0000:0001:ffff:0:0:1')).toBe('ip:2001:db8:0:1::/64');
    expect(ipKey('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
    expect(ipKey('::1')).toBe('ip:0:0:0:0::/64');
  });
});
