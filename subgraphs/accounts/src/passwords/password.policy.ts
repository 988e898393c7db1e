import { dictionary } from '@zxcvbn-ts/language-common';

const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

// ~49k most common passwords from leaked sets, maintained by the zxcvbn-ts project.
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * Why `password` may not be used, or null when it may. Lengths count Unicode code points; nothing is
 * truncated or composition-restricted (OWASP / NIST SP 800-63B).
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most common passwords; choose another';
  if (context.email && lower === context.email.toLowerCase()) return 'must not be your email address';
  if (context.email && lower === context.email.split('@')[0]?.toLowerCase()) return 'must not be derived from your email address';
  if (context.name && lower === context.name.toLowerCase()) return 'must not be your name';
  return null;
}
