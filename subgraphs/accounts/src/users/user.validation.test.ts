import { describe, expect, it } from 'vitest';
import { isValidEmail, normalizeEmail, validateSignUp } from './user.validation.js';

describe('email normalization', () => {
  it('trims, lower-cases and Unicode-normalizes', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    // Fullwidth letters fold to ASCII under NFKC, so they cannot register a look-alike duplicate.
    expect(normalizeEmail('ａｄａ@example.com')).toBe('ada@example.com');
  });

  it('accepts ordinary addresses and refuses malformed ones', () => {
    expect(isValidEmail('ada+shop@example.co.uk')).toBe(true);
    expect(isValidEmail('ada@localhost')).toBe(false);
    expect(isValidEmail('ada example@example.com')).toBe(false);
    expect(isValidEmail('@example.com')).toBe(false);
    expect(isValidEmail("o'brien.ada_1@mail.example-shop.com")).toBe(true);
    expect(isValidEmail('jörg@bücher.de')).toBe(true);
  });

  it('accepts only a plain addr-spec: no display names, lists, quotes, comments or literals', () => {
    for (const address of [
      'victim<attacker@evil.com>',
      'victim <attacker@evil.com>',
      'a@x.com,b@y.com',
      'a@x.com;b@y.com',
      '"ada"@example.com',
      'ada(comment)@example.com',
      'ada@[127.0.0.1]',
      '.ada@example.com',
      'ada.@example.com',
      'a..da@example.com',
      'ada@-example.com',
      'ada@example..com',
      'ada@example.com\r\nbcc: x@y.com',
      `${'a'.repeat(65)}@example.com`,
    ])
      expect(isValidEmail(normalizeEmail(address)), address).toBe(false);
  });
});

describe('validateSignUp', () => {
  it('reports every problem at once', () => {
    try {
      validateSignUp({ email: 'nope', password: 'short', name: ' ' });
      expect.unreachable();
    } catch (error) {
      const fields = (error as { extensions: { fields: { field: string }[] } }).extensions.fields.map((f) => f.field);
      expect(fields).toEqual(['email', 'name', 'password']);
    }
  });

  it('returns the normalized input', () => {
    expect(validateSignUp({ email: ' A@B.io', password: 'a long enough secret', name: '  Ada   Lovelace ' })).toEqual({
      email: 'a@b.io',
      name: 'Ada Lovelace',
      password: 'a long enough secret',
    });
  });
});
