import { ConflictError } from '@little-ecom/errors';

export type PaymentStatus = 'NOT_DUE' | 'DUE' | 'PAID';

export interface PaymentState {
  method: string;
  status: PaymentStatus;
  paidAt: Date | null;
}

/**
 * Where money is taken. The order lifecycle calls it at each step that changes what is owed; it
 * returns the payment state stored with the order (in the same write as the status change).
 *
 * A card provider plugs in here: `start` would create a payment intent (keyed by the order id, so
 * a retried checkout reuses it), `onConfirmed` capture it once stock is reserved, `onCancelled`
 * refund or void, and a webhook handler would call `markPaid`. Calls to a remote provider must then
 * happen outside the order write and be idempotent on the order id.
 */
export interface PaymentProvider {
  readonly method: string;
  /** A new order: nothing can be due before stock is reserved. */
  start(): PaymentState;
  /** Stock is reserved and the price is final. */
  onConfirmed(current: PaymentState): PaymentState;
  /** An admin (or a provider callback) records the payment. */
  markPaid(current: PaymentState, now: Date): PaymentState;
  /** The order was cancelled or rejected. */
  onCancelled(current: PaymentState): PaymentState;
}

/**
 * Pay on delivery / by invoice: a confirmed order is due, and an admin marks it paid when the money
 * arrives. No card data ever passes through little-ecom. A paid order that is cancelled stays PAID:
 * the refund is made outside the system (by bank transfer), as with any invoice.
 */
export const invoicePaymentProvider: PaymentProvider = {
  method: 'INVOICE',
  start: () => ({ method: 'INVOICE', status: 'NOT_DUE', paidAt: null }),
  onConfirmed: (current) => (current.status === 'NOT_DUE' ? { ...current, status: 'DUE' } : current),
  markPaid(current, now) {
    if (current.status === 'PAID') return current;
    if (current.status !== 'DUE') throw new ConflictError('The order has nothing to pay (it is not confirmed)');
    return { ...current, status: 'PAID', paidAt: now };
  },
  onCancelled: (current) => (current.status === 'PAID' ? current : { ...current, status: 'NOT_DUE' }),
};
