import type { MoneyData } from '@little-ecom/events';
import type { NotificationKind } from './notification.repository.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface ProductMention {
  productId: string;
  slug: string;
  name: string;
  price: MoneyData;
  previousPrice?: MoneyData;
}

export type EmailInput =
  | { kind: 'WELCOME'; name: string }
  | { kind: 'PASSWORD_RESET'; name: string; resetToken: string; expiresAt: string }
  | { kind: Extract<NotificationKind, 'NEW_PRODUCT' | 'PRICE_DROP' | 'BACK_IN_STOCK'>; name: string; product: ProductMention };

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Formats minor units with the currency's own number of decimals, e.g. 1999 EUR -> €19.99. */
export function formatMoney({ amount, currency }: MoneyData): string {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function layout(title: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  const button = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h1>${escapeHtml(title)}</h1>\n${body}\n${button}</body></html>`;
}

/** Subject, text and HTML of an email; every user-supplied string is escaped in the HTML. */
export function renderEmail(input: EmailInput, storefrontUrl: string): RenderedEmail {
  const hello = `Hello ${input.name},`;
  switch (input.kind) {
    case 'WELCOME': {
      const subject = 'Welcome to little-ecom';
      return {
        subject,
        text: `${hello}\n\nyour account is ready. Browse the catalog: ${storefrontUrl}/\n`,
        html: layout(subject, [escapeHtml(hello), 'your account is ready.'], {
          href: `${storefrontUrl}/`,
          label: 'Browse the catalog',
        }),
      };
    }
    case 'PASSWORD_RESET': {
      const link = `${storefrontUrl}/reset-password?token=${encodeURIComponent(input.resetToken)}`;
      const subject = 'Reset your little-ecom password';
      const note = `The link works until ${input.expiresAt}. If you did not ask for it, ignore this email.`;
      return {
        subject,
        text: `${hello}\n\nset a new password here: ${link}\n\n${note}\n`,
        html: layout(subject, [escapeHtml(hello), escapeHtml(note)], { href: link, label: 'Set a new password' }),
      };
    }
    default: {
      const { product } = input;
      const link = `${storefrontUrl}/products/${encodeURIComponent(product.slug)}`;
      const price = formatMoney(product.price);
      const lines: Record<typeof input.kind, { subject: string; line: string }> = {
        NEW_PRODUCT: { subject: `New: ${product.name}`, line: `${product.name} is new in the catalog, at ${price}.` },
        PRICE_DROP: {
          subject: `Price drop: ${product.name} now ${price}`,
          line: `${product.name} went down from ${product.previousPrice ? formatMoney(product.previousPrice) : 'its old price'} to ${price}.`,
        },
        BACK_IN_STOCK: { subject: `Back in stock: ${product.name}`, line: `${product.name} is available again, at ${price}.` },
      };
      const { subject, line } = lines[input.kind];
      return {
        subject,
        text: `${hello}\n\n${line}\n${link}\n\nYou get this email because you turned it on in your notification preferences.\n`,
        html: layout(subject, [escapeHtml(hello), escapeHtml(line)], { href: link, label: `See ${product.name}` }),
      };
    }
  }
}
