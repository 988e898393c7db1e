import type { SecretBox } from '@little-ecom/secrets';
import { backInStock } from './back-in-stock.js';
import type { EmailTemplate, RenderedEmail } from './layout.js';
import { newProduct } from './new-product.js';
import { orderCancelled } from './order-cancelled.js';
import { orderConfirmed } from './order-confirmed.js';
import { orderRejected } from './order-rejected.js';
import { orderShipped } from './order-shipped.js';
import { passwordReset } from './password-reset.js';
import { priceDrop } from './price-drop.js';
import { securityChanged } from './security-changed.js';
import { welcome } from './welcome.js';

/** Every email kind and its template; the list of kinds is derived from here. */
export const emailTemplates = {
  WELCOME: welcome,
  NEW_PRODUCT: newProduct,
  PRICE_DROP: priceDrop,
  BACK_IN_STOCK: backInStock,
  PASSWORD_RESET: passwordReset,
  SECURITY_CHANGED: securityChanged,
  ORDER_CONFIRMED: orderConfirmed,
  ORDER_REJECTED: orderRejected,
  ORDER_SHIPPED: orderShipped,
  ORDER_CANCELLED: orderCancelled,
} as const;

export type NotificationKind = keyof typeof emailTemplates;
export const NOTIFICATION_KINDS = Object.keys(emailTemplates) as NotificationKind[];

/** Emails a user did not ask for: sent after every transactional one that is due. */
export const MARKETING_KINDS: readonly NotificationKind[] = ['NEW_PRODUCT', 'PRICE_DROP', 'BACK_IN_STOCK'];

/**
 * The order in which due emails are claimed, lowest first: transactional mail (resets, orders,
 * welcome, security) before marketing, so a backlog of marketing never delays a reset link.
 */
export const deliveryPriority = (kind: NotificationKind): number => (MARKETING_KINDS.includes(kind) ? 1 : 0);

type InputOf<T> = T extends EmailTemplate<infer I> ? I : never;

/** What the template of `K` needs. */
export type TemplateInput<K extends NotificationKind> = InputOf<(typeof emailTemplates)[K]>;

/** The input of any kind, tagged with its kind. */
export type EmailInput = { [K in NotificationKind]: TemplateInput<K> & { kind: K } }[NotificationKind];

/** Subject, text and HTML of an email; every user-supplied string is escaped in the HTML. */
export function renderEmail(input: EmailInput, storefrontUrl: string, secrets?: SecretBox): RenderedEmail {
  const template = emailTemplates[input.kind] as EmailTemplate<EmailInput>;
  return template.render(input, storefrontUrl, secrets);
}
