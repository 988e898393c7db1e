import type { LogFields } from '@little-ecom/logger';
import type { Scope } from '@little-ecom/scope';
import { hashedAccountKey } from '../throttle/login-throttle.js';

/**
 * Security events: one log line each, with the same field names everywhere so a dashboard can chart
 * them (docs/auth.md, "Security events"): `security` (the event), `clientIp`, `accountKey` (a short
 * hash of the normalized email, never the email), `userId`, `sessionId`, `reason`.
 */
export type SecurityEvent =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'session_refreshed'
  | 'logout'
  | 'sessions_revoked'
  | 'password_changed'
  | 'rate_limited'
  | 'reauthentication_failed'
  | 'factor_changed'
  | 'authorization_failed';

export function logSecurityEvent(
  scope: Scope,
  event: SecurityEvent,
  fields: LogFields & { email?: string } = {},
  level: 'info' | 'warn' = 'info',
): void {
  const { email, ...rest } = fields;
  scope.logger[level](event.replace(/_/g, ' '), {
    security: event,
    clientIp: scope.clientIp ?? 'unknown',
    ...(email !== undefined ? { accountKey: hashedAccountKey(email) } : {}),
    ...rest,
  });
}
