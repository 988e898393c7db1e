import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: used for refresh and password-reset tokens. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored instead of the token. A plain SHA-256 is enough here (unlike passwords): the input
 * has 256 bits of entropy, so there is nothing to brute-force.
 */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Our tokens are 43 base64url characters; anything far off is rejected before any lookup. */
export function isPlausibleSecretToken(token: string): boolean {
  return token.length >= 16 && token.length <= 256 && /^[A-Za-z0-9_-]+$/.test(token);
}
