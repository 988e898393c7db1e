import { escapeHtml, hello, layout, type EmailTemplate } from './layout.js';

/** Rendered only when the email is sent: the token must not sit in a stored body. */
export const passwordReset: EmailTemplate<{ name: string; resetToken: string; expiresAt: string }> = {
  render(input, storefrontUrl) {
    const link = `${storefrontUrl}/reset-password?token=${encodeURIComponent(input.resetToken)}`;
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
