import { dictionary } from '@zxcvbn-ts/language-common';

const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

// ~49k most common passwords from leaked sets, maintained by the zxcvbn-ts project.
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * Why a password may not be used, or null when it may. Every check and length is of its NFKC form;
 * lengths count Unicode code points; nothing is truncated or composition-restricted (OWASP / NIST SP 800-63B).
 */
export function passwordProblem(raw: string, context: { email?: string; name?: string } = {}): string | null {
  // Checked as it is hashed (NFKC, see password.hasher.ts): fullwidth `ｐａｓｓｗｏｒｄ１２３` is `password123`.
  const password = raw.normalize('NFKC');
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most common passwords; choose another';
  if (context.email && lower === context.email.toLowerCase()) return 'must not be your email address';
  if (context.email && lower === context.email.split('@')[0]?.toLowerCase()) return 'must not be derived from your email address';
  if (context.name && lower === context.name.normalize('NFKC').toLowerCase()) return 'must not be your name';
  return null;
}
