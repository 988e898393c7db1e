import type { MoneyData } from '@little-ecom/events';
import type { SecretBox } from '@little-ecom/secrets';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The product an email is about, as the event described it. */
export interface ProductMention {
  productId: string;
  slug: string;
  name: string;
  price: MoneyData;
  previousPrice?: MoneyData;
}

/**
 * One email kind: what it needs and how it looks. `storefrontUrl` has no trailing slash; `secrets`
 * opens sealed values in the input (a reset token), which are only ever in the clear in the email.
 */
export interface EmailTemplate<TInput> {
  render(input: TInput, storefrontUrl: string, secrets?: SecretBox): RenderedEmail;
}

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

/** The shared HTML frame; paragraphs must be escaped by the caller, the link is escaped here. */
export function layout(title: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  const button = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h1>${escapeHtml(title)}</h1>\n${body}\n${button}</body></html>`;
}

export const hello = (name: string) => `Hello ${name},`;

/** The body shared by the marketing emails about one product. */
export function productEmail(
  input: { name: string; product: ProductMention },
  storefrontUrl: string,
  subject: string,
  line: string,
): RenderedEmail {
  const { product } = input;
  const link = `${storefrontUrl}/products/${encodeURIComponent(product.slug)}`;
  const greeting = hello(input.name);
  return {
    subject,
    text: `${greeting}\n\n${line}\n${link}\n\nYou get this email because you turned it on in your notification preferences.\n`,
    html: layout(subject, [escapeHtml(greeting), escapeHtml(line)], { href: link, label: `See ${product.name}` }),
  };
}
