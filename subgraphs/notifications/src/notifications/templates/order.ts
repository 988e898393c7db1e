import type { OrderSummaryData, StockRejectionReason } from '@little-ecom/events';
import { escapeHtml, formatMoney, hello, layout, type EmailTemplate, type RenderedEmail } from './layout.js';

/** What every order email needs: the customer's name and the order as its event described it. */
export interface OrderEmailInput {
  name: string;
  order: OrderSummaryData;
}

const REASONS: Record<StockRejectionReason, string> = {
  INSUFFICIENT_STOCK: 'one of the products does not have enough stock left',
  TIMED_OUT: 'we could not confirm the stock in time',
  PRODUCT_UNAVAILABLE: 'one of the products is no longer sold',
  MIXED_CURRENCIES: 'its products are priced in different currencies',
};

export const orderRef = (order: OrderSummaryData) => order.orderId.slice(0, 8);
export const orderLines = (order: OrderSummaryData) =>
  order.items.map((l) => `${l.quantity} × ${l.name} at ${formatMoney(l.unitPrice)}`);
export const orderTotal = (order: OrderSummaryData) => `Total: ${formatMoney(order.total)}`;

export function shippingTo(order: OrderSummaryData): string {
  const a = order.shippingAddress;
  const parts = [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country].filter((x): x is string => !!x);
  return `Shipping to: ${parts.join(', ')}`;
}

export const rejectionReason = (reason: StockRejectionReason) => REASONS[reason];

/** The frame shared by the order emails: greeting, paragraphs, and a link to the order. */
export function orderEmail(input: OrderEmailInput, storefrontUrl: string, subject: string, paragraphs: string[]): RenderedEmail {
  const link = { href: `${storefrontUrl}/orders/${encodeURIComponent(input.order.orderId)}`, label: 'See your order' };
  const greeting = hello(input.name);
  return {
    subject,
    text: `${greeting}\n\n${paragraphs.join('\n')}\n\n${link.label}: ${link.href}\n`,
    html: layout(subject, [escapeHtml(greeting), ...paragraphs.map(escapeHtml)], link),
  };
}

export type OrderEmailTemplate<TExtra = object> = EmailTemplate<OrderEmailInput & TExtra>;
