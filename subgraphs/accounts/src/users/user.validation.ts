import { InputProblems, SINGLE_LINE_MESSAGE, isSingleLine } from '@little-ecom/errors';
import { passwordProblem } from '../passwords/password.policy.js';

const NAME_MAX_LENGTH = 100;
const EMAIL_MAX_LENGTH = 254;

// A plain RFC 5322 addr-spec and nothing else: a dot-atom local part (internationalized letters allowed,
// RFC 6531) and a domain of at least two LDH or IDN labels. No display names (`victim<attacker@evil.com>`),
// lists (`a@x.com,b@y.com`), quoted local parts, comments or address literals. Deliverability is proven by mail.
const ATEXT = "[a-z0-9!#$%&'*+/=?^_`{|}~\\p{L}\\p{M}\\p{N}-]";
const LABEL = '[a-z0-9\\p{L}\\p{N}](?:[a-z0-9\\p{L}\\p{M}\\p{N}-]{0,61}[a-z0-9\\p{L}\\p{M}\\p{N}])?';
const EMAIL = new RegExp(`^(?=[^@]{1,64}@)${ATEXT}+(?:\\.${ATEXT}+)*@${LABEL}(?:\\.${LABEL})+$`, 'u');

/**
 * The one spelling of an email address that is stored and compared: Unicode-normalized, trimmed,
 * lower-cased. Provider-specific aliases (dots or `+tags` at some providers) are kept distinct on purpose:
 * they are different mailboxes elsewhere.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export function isValidEmail(normalized: string): boolean {
  return normalized.length <= EMAIL_MAX_LENGTH && EMAIL.test(normalized);
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
}

function checkName(p: InputProblems, name: string) {
  if (name.length === 0) p.add('name', 'must not be empty');
  else if ([...name].length > NAME_MAX_LENGTH) p.add('name', `must be at most ${NAME_MAX_LENGTH} characters`);
  else if (!isSingleLine(name)) p.add('name', SINGLE_LINE_MESSAGE);
}

/** Validates a sign-up; every problem is reported at once as BAD_USER_INPUT. */
export function validateSignUp(input: SignUpInput): SignUpInput {
  const p = new InputProblems();
  const email = normalizeEmail(input.email);
  const name = normalizeName(input.name);
  if (!isValidEmail(email)) p.add('email', 'must be a valid email address');
  checkName(p, name);
  const problem = passwordProblem(input.password, { email, name });
  if (problem) p.add('password', problem);
  p.throwIfAny();
  return { email, name, password: input.password };
}

/** Validates a new password against the policy, naming `field` in the error. */
export function validateNewPassword(password: string, context: { email: string; name: string }, field = 'newPassword'): void {
  const p = new InputProblems();
  const problem = passwordProblem(password, context);
  if (problem) p.add(field, problem);
  p.throwIfAny();
}
