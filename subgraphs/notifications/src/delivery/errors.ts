/**
 * What went wrong with a send, in terms the worker acts on. `service` errors (the server is
 * unreachable, refuses our credentials, or throttles us) say nothing about the email: they pause
 * sending for everyone (see circuit.ts). `message` errors are about this email: permanent ones fail
 * it, temporary ones are retried within the retry window.
 */
export const DELIVERY_ERROR_KINDS = [
  'SMTP_UNAVAILABLE',
  'SMTP_AUTH_FAILED',
  'SMTP_RATE_LIMITED',
  'RECIPIENT_REJECTED',
  'MESSAGE_REJECTED',
  'TEMPORARY_FAILURE',
  'RENDER_FAILED',
  'EXPIRED',
] as const;
export type DeliveryErrorKind = (typeof DELIVERY_ERROR_KINDS)[number];

export interface DeliveryError {
  kind: DeliveryErrorKind;
  scope: 'service' | 'message';
  permanent: boolean;
  /** The raw error, trimmed: for admins and logs, never shown to users. */
  detail: string;
}

/** What a user may read about a failed attempt: the kind, in words, with no server text. */
export const PUBLIC_ERROR: Record<DeliveryErrorKind, string> = {
  SMTP_UNAVAILABLE: 'The mail server could not be reached; the email will be sent when it is back.',
  SMTP_AUTH_FAILED: 'The mail server refused our credentials; the email will be sent once this is fixed.',
  SMTP_RATE_LIMITED: 'The mail server asked us to slow down; the email will be sent later.',
  RECIPIENT_REJECTED: 'The recipient address was refused.',
  MESSAGE_REJECTED: 'The mail server refused this email.',
  TEMPORARY_FAILURE: 'The mail server could not take this email for now; it will be retried.',
  RENDER_FAILED: 'This email could not be written from its data; an administrator can retry it.',
  EXPIRED: 'Not sent: what it was about expired before it could go out (a reset link past its expiry).',
};

/**
 * The email could not be rendered from what was stored (a template or data error): it is about this
 * email alone, so it fails it (an admin can retry it after a fix) and never pauses SMTP for everyone.
 */
export const renderError = (error: unknown): DeliveryError => ({
  kind: 'RENDER_FAILED',
  scope: 'message',
  permanent: true,
  detail: describe(error),
});

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETLS']);
// Providers say "slow down" or "quota" with codes that otherwise mean other things (421, 450-452, 550, 554).
const THROTTLED = /rate|quota|too many|limit exceeded|throttl|try again later/i;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** Classifies an error thrown by the SMTP transport (never by our own code: see `renderError`). */
export function classifySmtpError(error: unknown): DeliveryError {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; command?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = `${typeof e.response === 'string' ? e.response : ''} ${describe(error)}`;
  const detail = describe(error);
  const of = (kind: DeliveryErrorKind, scope: DeliveryError['scope'], permanent: boolean): DeliveryError => ({
    kind,
    scope,
    permanent,
    detail,
  });

  if (code === 'EAUTH' || reply === 535 || reply === 534 || reply === 530 || reply === 454)
    return of('SMTP_AUTH_FAILED', 'service', false);
  if (reply !== undefined && THROTTLED.test(text)) return of('SMTP_RATE_LIMITED', 'service', false);
  if (reply === 421) return of('SMTP_UNAVAILABLE', 'service', false);
  if (reply === undefined && (code === undefined || CONNECTION_CODES.has(code) || /greeting|connect|timeout/i.test(detail)))
    return of('SMTP_UNAVAILABLE', 'service', false);
  if (reply !== undefined && reply >= 500) {
    const recipient = e.command === 'RCPT TO' || reply === 550 || reply === 551 || reply === 553;
    return of(recipient ? 'RECIPIENT_REJECTED' : 'MESSAGE_REJECTED', 'message', true);
  }
  return of('TEMPORARY_FAILURE', 'message', false);
}
