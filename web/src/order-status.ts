import type { OrderStatus } from './gql/graphql.js';

/** The status word a person reads (the contract's `Pending`, `Confirmed`, ...). */
export const statusWord: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  REJECTED: 'Rejected',
  SHIPPED: 'Shipped',
  CANCELLED: 'Cancelled',
};

/** Statuses after which nothing changes any more, so nobody needs to watch. */
export const finalStatuses: ReadonlySet<OrderStatus> = new Set(['REJECTED', 'SHIPPED', 'CANCELLED']);
