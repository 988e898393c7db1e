import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readOrCreateDevFile } from '@little-ecom/config';

/**
 * Seals secrets that must travel in an event (a password-reset token) or rest in a database (TOTP
 * secrets) so that only the services holding the key can read them: the outbox, the broker, dead
 * letters and stored notifications hold the sealed form only. AES-256-GCM; `purpose` is
 * authenticated, so a sealed value cannot be used for anything else.
 */
export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  /** Throws when the value was not sealed with this key for this purpose. */
  open(sealed: string, purpose: string): string;
}

const VERSION = 'v1';

export function createSecretBox(keyBase64: string): SecretBox {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('the event secrets key must be 32 bytes, base64-encoded');
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, purpose) {
      const [version, iv, body] = sealed.split('.');
      if (version !== VERSION || !iv || !body) throw new Error('not a sealed value');
      const raw = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

// src/ (or dist/) -> secrets -> packages -> the repository root with its git-ignored .data/.
export const DEFAULT_DEV_SECRETS_FILE = fileURLToPath(new URL('../../../.data/event-secrets.key', import.meta.url));

/**
 * The key from config (`EVENT_SECRETS_KEY`), or in development one generated once into a
 * git-ignored file that every local service shares (like the dev JWT key).
 */
export function loadSecretBox(options: { key?: string | undefined; devKeyFile?: string }): SecretBox {
  if (options.key) return createSecretBox(options.key);
  const file = options.devKeyFile ?? DEFAULT_DEV_SECRETS_FILE;
  return createSecretBox(readOrCreateDevFile(file, () => randomBytes(32).toString('base64')).trim());
}
