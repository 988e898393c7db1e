import { RESET_TOKEN_PURPOSE } from '@little-ecom/events';
import { escapeHtml, hello, layout, type EmailTemplate } from './layout.js';

/**
 * The input holds the token sealed (as the event brought it); it is opened only here, when the
 * email is rendered to be sent, so no stored body, log or dead letter ever has it in the clear.
 */
export const passwordReset: EmailTemplate<{ name: string; sealedResetToken: string; expiresAt: string }> = {
  render(input, storefrontUrl, secrets) {
    if (!secrets) throw new Error('the reset email needs the event secrets key to open its token');
    const resetToken = secrets.open(input.sealedResetToken, RESET_TOKEN_PURPOSE);
    const link = `${storefrontUrl}/reset-password?token=${encodeURIComponent(resetToken)}`;
    const subject = 'Reset your little-ecom password';
    const greeting = hello(input.name);
    const note = `The link works until ${input.expiresAt}. If you did not ask for it, ignore this email.`;
    return {
      subject,
      text: `${greeting}\n\nset a new password here: ${link}\n\n${note}\n`,
      html: layout(subject, [escapeHtml(greeting), escapeHtml(note)], { href: link, label: 'Set a new password' }),
    };
  },
};
