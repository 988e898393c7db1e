import { formatMoney } from '../money.js';

interface Money {
  amount: number;
  currency: string;
}

/** What an order costs (or would cost), as the server computed it: goods, shipping, tax and total. */
export function Charges({
  charges,
  shippingMethod,
}: {
  charges: { subtotal: Money; shipping: Money; tax: Money; total: Money; taxRate: number; taxIncluded: boolean };
  shippingMethod?: { name: string; deliveryEstimate: string } | null;
}) {
  const rate = `${charges.taxRate.toLocaleString()}%`;
  return (
    <dl className="charges">
      <div>
        <dt>Subtotal</dt>
        <dd>{formatMoney(charges.subtotal)}</dd>
      </div>
      <div>
        <dt>Shipping{shippingMethod && ` (${shippingMethod.name}, ${shippingMethod.deliveryEstimate})`}</dt>
        <dd>{formatMoney(charges.shipping)}</dd>
      </div>
      <div>
        <dt>{charges.taxIncluded ? `Tax included (VAT ${rate})` : `Tax (VAT ${rate})`}</dt>
        <dd>{formatMoney(charges.tax)}</dd>
      </div>
      <div>
        <dt>Total</dt>
        <dd>
          <strong>{formatMoney(charges.total)}</strong>
        </dd>
      </div>
    </dl>
  );
}
