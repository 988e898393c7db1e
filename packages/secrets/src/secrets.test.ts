import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secrets.js';

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32).toString('base64'));

  it('opens what it sealed, for the same purpose only', () => {
    const sealed = box.seal('tok-123', 'reset');
    expect(sealed).not.toContain('tok-123');
    expect(box.open(sealed, 'reset')).toBe('tok-123');
    expect(() => box.open(sealed, 'totp')).toThrow();
  });

  it('refuses a value sealed with another key, and a key of the wrong size', () => {
    const other = createSecretBox(randomBytes(32).toString('base64'));
    expect(() => box.open(other.seal('x', 'reset'), 'reset')).toThrow();
    expect(() => createSecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
