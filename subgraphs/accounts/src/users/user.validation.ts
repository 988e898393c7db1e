import { InputProblems } from '@little-ecom/errors';
import { passwordProblem } from '../passwords/password.policy.js';

const NAME_MAX_LENGTH = 100;
const EMAIL_MAX_LENGTH = 254;

// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven by the reset mail.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

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
  else if (CONTROL.test(name)) p.add('name', 'must not contain control characters');
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
