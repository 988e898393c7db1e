import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 time-based one-time passwords with the parameters every authenticator app understands:
 * SHA-1, 6 digits, 30 s steps, a 160-bit secret (RFC 4226's recommendation).
 */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** A code from the previous or the next step is accepted too: phone clocks drift and people type slowly. */
const WINDOW = 1;

function totp(secretBase32: string, label: string, issuer: string): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A fresh secret, base32 as authenticator apps take it. */
export const newTotpSecret = () => new Secret({ size: 20 }).base32;

/** The `otpauth://totp/...` URI an authenticator app scans as a QR code. */
export const otpauthUri = (secretBase32: string, label: string, issuer: string) => totp(secretBase32, label, issuer).toString();

/**
 * The time step `code` belongs to when it is valid at `now` (within one step either side), else null.
 * Callers accept a step only once (RFC 6238 section 5.2), so a code seen by someone else cannot be replayed.
 */
export function matchingStep(secretBase32: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secretBase32, 'check', 'check').validate({ token, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/** The current code (for tests and the CLI's self-check). */
export const currentCode = (secretBase32: string, now: Date) =>
  totp(secretBase32, 'check', 'check').generate({ timestamp: now.getTime() });

export const RECOVERY_CODE_COUNT = 10;
// 32 symbols (base32), so `byte % 32` is unbiased: 16 characters are 80 random bits.
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Ten one-time recovery codes of 16 characters (80 bits each), grouped `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]!).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** Recovery codes are stored as SHA-256 only: they are random and long, so no slow hash is needed. */
export const hashRecoveryCode = (code: string) =>
  createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .digest('base64url');

/** Whether `code` looks like a recovery code rather than a 6-digit TOTP code. */
export const isRecoveryCodeShape = (code: string) => code.replace(/[^A-Za-z0-9]/g, '').length === 16;
