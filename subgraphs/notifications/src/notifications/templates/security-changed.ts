import { escapeHtml, hello, layout, type EmailTemplate } from './layout.js';

/** What changed in how the account signs in (the `change` of `user.security_changed`). */
export type SecurityChange = 'totp_enrolled' | 'totp_removed' | 'recovery_codes_regenerated';

const WHAT: Record<SecurityChange, string> = {
  totp_enrolled: 'a two-step verification app was added to your account',
  totp_removed: 'two-step verification was turned off for your account',
  recovery_codes_regenerated: 'new recovery codes were made for your account (the old ones no longer work)',
};

/** Tells the owner of a factor change, which they may not have made: the one signal a thief cannot suppress. */
export const securityChanged: EmailTemplate<{ name: string; change: SecurityChange }> = {
  render(input, storefrontUrl) {
    const subject = 'A sign-in setting of your little-ecom account changed';
    const greeting = hello(input.name);
    const what = `${WHAT[input.change]}; your other sessions were signed out.`;
    const advice = 'If this was not you, reset your password now and contact us.';
    const link = `${storefrontUrl}/forgot-password`;
    return {
      subject,
      text: `${greeting}\n\n${what}\n${advice} ${link}\n`,
      html: layout(subject, [escapeHtml(greeting), escapeHtml(what), escapeHtml(advice)], {
        href: link,
        label: 'Reset your password',
      }),
    };
  },
};
