/** Mailpit's SMTP port: where notifications sends mail when SMTP_URL is unset. */
export const DEFAULT_SMTP_URL = 'smtp://127.0.0.1:1025';
