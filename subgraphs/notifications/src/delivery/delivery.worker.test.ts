import { describe, expect, it } from 'vitest';
import { isPermanentSmtpError } from './mailer.js';
import { retryDelay } from './delivery.worker.js';

describe('delivery retries', () => {
  it('backs off exponentially with jitter, up to the cap', () => {
    for (let i = 0; i < 20; i++) {
      expect(retryDelay(1, 1_000, 60_000)).toBeGreaterThanOrEqual(800);
      expect(retryDelay(1, 1_000, 60_000)).toBeLessThanOrEqual(1_200);
      expect(retryDelay(4, 1_000, 60_000)).toBeGreaterThanOrEqual(6_400);
      expect(retryDelay(4, 1_000, 60_000)).toBeLessThanOrEqual(9_600);
      expect(retryDelay(30, 1_000, 60_000)).toBeLessThanOrEqual(72_000);
    }
  });

  it('treats only SMTP 5xx replies as permanent', () => {
    expect(isPermanentSmtpError(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))).toBe(true);
    expect(isPermanentSmtpError(Object.assign(new Error('try later'), { responseCode: 421 }))).toBe(false);
    expect(isPermanentSmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toBe(false);
  });
});
