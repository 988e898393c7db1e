import { describe, expect, it } from 'vitest';
import { loadNotificationsConfig } from './config.js';

describe('notifications config', () => {
  it('sizes the SMTP pool to at least the delivery concurrency', () => {
    const config = loadNotificationsConfig({ NODE_ENV: 'test', SMTP_MAX_CONNECTIONS: '3', DELIVERY_CONCURRENCY: '20' });
    expect(config.mail.maxConnections).toBe(20);
    expect(loadNotificationsConfig({ NODE_ENV: 'test', SMTP_MAX_CONNECTIONS: '30' }).mail.maxConnections).toBe(30);
  });
});
