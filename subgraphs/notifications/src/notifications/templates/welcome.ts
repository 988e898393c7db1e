import { escapeHtml, hello, layout, type EmailTemplate } from './layout.js';

export const welcome: EmailTemplate<{ name: string }> = {
  render(input, storefrontUrl) {
    const subject = 'Welcome to little-ecom';
    const greeting = hello(input.name);
    return {
      subject,
      text: `${greeting}\n\nyour account is ready. Browse the catalog: ${storefrontUrl}/\n`,
      html: layout(subject, [escapeHtml(greeting), 'your account is ready.'], {
        href: `${storefrontUrl}/`,
        label: 'Browse the catalog',
      }),
    };
  },
};
