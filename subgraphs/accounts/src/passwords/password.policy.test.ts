import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './password.policy.js';

describe('passwordProblem', () => {
  it('accepts a long, uncommon password', () => {
    expect(passwordProblem('correct horse battery staple 42')).toBeNull();
  });

  it('enforces 8 to 128 code points', () => {
    expect(passwordProblem('short1!')).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(PASSWORD_MAX_LENGTH + 1))).toMatch(/at most 128/);
    // Eight emoji are 16 UTF-16 units but 8 characters: counted as 8.
    expect(passwordProblem('🔒🔑🐱🐶🦊🐻🐼🐨')).toBeNull();
  });

  it('rejects common passwords whatever their case', () => {
    expect(passwordProblem('password1')).toMatch(/common/);
    expect(passwordProblem('PassWord123')).toMatch(/common/);
    expect(passwordProblem('iloveyou')).toMatch(/common/);
  });

  it('checks the NFKC form that is hashed: fullwidth or compatibility spellings of common passwords are refused', () => {
    expect(passwordProblem('ｐａｓｓｗｏｒｄ１２３')).toMatch(/common/);
    expect(passwordProblem('ＰａｓｓＷｏｒｄ１')).toMatch(/common/);
    // The ligature ﬀ is two letters after NFKC; the limit counts the normalized form.
    expect(passwordProblem('ﬀ'.repeat(65))).toMatch(/at most 128/);
    expect(passwordProblem('ａｄａ．ｌｏｖｅｌａｃｅ', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
  });

  it('rejects the email address and name', () => {
    expect(passwordProblem('ada.lovelace@example.com', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
    expect(passwordProblem('ada.lovelace', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
    expect(passwordProblem('Ada Lovelace', { name: 'ada lovelace' })).toMatch(/name/);
  });
});
