import type { OrderSummaryData } from '@little-ecom/events';
import { escapeHtml, formatMoney, layout, type RenderedEmail } from './templates.js';

export type OrderEmailKind = 'ORDER_CONFIRMED' | 'ORDER_REJECTED' | 'ORDER_SHIPPED' | 'ORDER_CANCELLED';

export interface OrderEmailInput {
  kind: OrderEmailKind;
  name: string;
  order: OrderSummaryData;
  /** For ORDER_REJECTED: the stock.rejected reason. */
  reason?: string;
}

const REASONS: Record<string, string> = {
  INSUFFICIENT_STOCK: 'one of the products does not have enough stock left',
  PRODUCT_UNAVAILABLE: 'one of the products is no longer sold',
  MIXED_CURRENCIES: 'its products are priced in different currencies',
};

/** The order emails: lines, total and address for a confirmation; the reason for a rejection. */
export function renderOrderEmail(input: OrderEmailInput, storefrontUrl: string): RenderedEmail {
  const { order } = input;
  const ref = order.orderId.slice(0, 8);
  const link = { href: `${storefrontUrl}/orders/${encodeURIComponent(order.orderId)}`, label: 'See your order' };
  const hello = `Hello ${input.name},`;
  const lines = order.lines.map((l) => `${l.quantity} × ${l.name} at ${formatMoney(l.unitPrice)}`);
  const total = `Total: ${formatMoney(order.total)}`;
  const a = order.shippingAddress;
  const address = [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country].filter((x): x is string => !!x);

  const content: Record<OrderEmailKind, { subject: string; paragraphs: string[] }> = {
    ORDER_CONFIRMED: {
      subject: `Order ${ref} confirmed`,
      paragraphs: [
        'your order is confirmed and the items are set aside for you. You pay on delivery or by invoice.',
        ...lines,
        total,
        `Shipping to: ${address.join(', ')}`,
      ],
    },
    ORDER_REJECTED: {
      subject: `Order ${ref} could not be placed`,
      paragraphs: [
        `we could not place your order because ${REASONS[input.reason ?? ''] ?? 'of a stock problem'}. Nothing was charged.`,
      ],
    },
    ORDER_SHIPPED: {
      subject: `Order ${ref} shipped`,
      paragraphs: ['your order is on its way.', ...lines, `Shipping to: ${address.join(', ')}`],
    },
    ORDER_CANCELLED: {
      subject: `Order ${ref} cancelled`,
      paragraphs: ['your order was cancelled; the items are released.', ...lines, total],
    },
  };
  const { subject, paragraphs } = content[input.kind];
  return {
    subject,
    text: `${hello}\n\n${paragraphs.join('\n')}\n\n${link.label}: ${link.href}\n`,
    html: layout(subject, [escapeHtml(hello), ...paragraphs.map(escapeHtml)], link),
  };
}
