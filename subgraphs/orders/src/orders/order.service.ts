import { requireRole, requireViewer, type Viewer } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, NotFoundError } from '@little-ecom/errors';
import type { AddressData, StockRejectionReason } from '@little-ecom/events';
import { documentKey, isDuplicateKeyError, pageSize, serializedWrite, toCursorPage, type CursorPage } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import type { AddressBookService } from '../addresses/address-book.service.js';
import type { CartService } from '../cart/cart.service.js';
import { isAdmin, requireOwnerOrAdmin } from '../personal-data.js';
import { validateAddress, type AddressInput } from './address.js';
import { orderCancelled, orderConfirmed, orderPlaced, orderRejected, orderShipped } from './order.events.js';
import {
  ORDER_STATUSES,
  newOrderId,
  type OrderDocument,
  type OrderItemDocument,
  type OrderRepository,
  type OrderStatus,
} from './order.repository.js';
import type { Pricing, ShippingOption } from '../pricing/pricing.js';
import type { PaymentProvider } from './payment.js';

export type OrderPage = CursorPage<OrderDocument>;

export interface CheckoutInput {
  /** A new address, or `addressId` of a saved one: exactly one. */
  shippingAddress?: AddressInput | null;
  addressId?: string | null;
  /** Save the new `shippingAddress` in the address book too. */
  saveAddress?: boolean | null;
  /** A shipping method id for the address's country; the cheapest when absent. */
  shippingMethod?: string | null;
  idempotencyKey: string;
}

const encodeCursor = (o: OrderDocument) => Buffer.from(`${o.createdAt.toISOString()}|${o._id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new BadUserInputError('after is not a valid cursor', 'after');
  return { createdAt, id };
}

const totalOf = (items: OrderItemDocument[]) => ({
  amount: items.reduce((sum, i) => sum + i.unitPrice.amount * i.quantity, 0),
  currency: items[0]?.unitPrice.currency ?? 'XXX',
});

/** Orders: checkout from the cart, who may see and change which order, and the status machine. */
/** How long an order may wait for products' answer, and how often order.placed is sent again meanwhile. */
export interface ReaperSettings {
  pendingTimeoutMs: number;
  /** Re-publications of order.placed before the order is rejected as TIMED_OUT. */
  maxRepublish: number;
  /** Orders handled per pass. */
  batchSize: number;
}

export const DEFAULT_REAPER: ReaperSettings = Object.freeze({ pendingTimeoutMs: 2 * 60_000, maxRepublish: 2, batchSize: 50 });

/** What one customer's unpaid orders may hold, and for how long (ORDER_* settings, docs/orders.md). */
export interface HoldSettings {
  /** A CONFIRMED order still unpaid this long after confirmation is cancelled and its stock released. */
  unpaidExpiryMs: number;
  /** Open unpaid orders (PENDING, or CONFIRMED and not paid) a customer may have at once. */
  maxOpenUnpaid: number;
  /** Units those orders may hold together, a new one included. */
  maxHeldUnits: number;
}

export const DEFAULT_HOLDS: HoldSettings = Object.freeze({
  unpaidExpiryMs: 72 * 60 * 60_000,
  maxOpenUnpaid: 5,
  maxHeldUnits: 100,
});

const unitsOf = (items: readonly { quantity: number }[]) => items.reduce((sum, i) => sum + i.quantity, 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function createOrderService(deps: {
  orders: OrderRepository;
  carts: CartService;
  addresses: AddressBookService;
  pricing: Pricing;
  payment: PaymentProvider;
  reaper?: ReaperSettings;
  holds?: HoldSettings;
}) {
  const { orders, carts, addresses, pricing, payment } = deps;

  /** What the order's lines cost shipped by `shipping` to `country` (the rate fixed at checkout, if given). */
  const chargesOf = (items: OrderItemDocument[], shipping: ShippingOption, country: string, taxRate?: number) => {
    const {
      subtotal,
      tax,
      total,
      taxRate: rate,
      taxIncluded,
    } = pricing.charges(totalOf(items), shipping.price, country, taxRate);
    return { subtotal, tax, total, taxRate: rate, taxIncluded };
  };
  const reaper = deps.reaper ?? DEFAULT_REAPER;
  const holds = deps.holds ?? DEFAULT_HOLDS;

  /**
   * Refuses an order that would take the customer past the caps on open unpaid orders and units they
   * hold, so one account cannot hold a shop's stock (what it holds is released when unpaid orders expire).
   */
  async function requireHoldRoom(userId: string, units: number): Promise<void> {
    const open = await orders.openUnpaid(userId);
    if (open.length >= holds.maxOpenUnpaid)
      throw new BadUserInputError(
        `You have ${plural(open.length, 'unpaid order')}; pay or cancel one before placing another`,
        'cart',
      );
    const held = open.reduce((sum, o) => sum + unitsOf(o.items), 0);
    if (held + units > holds.maxHeldUnits)
      throw new BadUserInputError(
        `Unpaid orders may hold at most ${plural(holds.maxHeldUnits, 'unit')}; yours hold ${held} and this cart has ${units}`,
        'cart',
      );
  }

  async function page(
    filter: Parameters<OrderRepository['page']>[0]['filter'],
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<OrderPage> {
    const size = pageSize(first);
    const [docs, totalCount] = await Promise.all([
      orders.page({ filter, ...(after ? { after: decodeCursor(after) } : {}), limit: size + 1 }),
      orders.count(filter),
    ]);
    return toCursorPage(docs, size, totalCount, encodeCursor);
  }

  /** The order if the viewer may act on it; NOT_FOUND otherwise, so other people's ids reveal nothing. */
  async function requireVisible(scope: Scope, id: string): Promise<{ order: OrderDocument; viewer: Viewer }> {
    const viewer = requireViewer(scope.auth);
    const order = await orders.findById(id);
    if (!order || (order.userId !== viewer.userId && !isAdmin(viewer))) throw new NotFoundError('Order not found');
    return { order, viewer };
  }

  /** The checkout's address: a saved one by id, or the new one given (saved to the book when asked). */
  async function shippingAddressOf(scope: Scope, userId: string, input: CheckoutInput): Promise<AddressData> {
    if (input.addressId && input.shippingAddress)
      throw new BadUserInputError('Give either shippingAddress or addressId, not both', 'addressId');
    if (input.addressId) return addresses.forCheckout(userId, input.addressId);
    if (!input.shippingAddress) throw new BadUserInputError('shippingAddress or addressId is required', 'shippingAddress');
    const address = validateAddress(input.shippingAddress);
    if (input.saveAddress) await addresses.save(scope, address);
    return address;
  }

  /**
   * Places the order for a checked cart, within the caps on what unpaid orders hold; runs queued
   * behind the customer's other checkouts in this process (see `checkout`).
   */
  async function place(
    scope: Scope,
    userId: string,
    key: string,
    items: OrderItemDocument[],
    shippingAddress: OrderDocument['shippingAddress'],
    shipping: ShippingOption,
    cartVersion: number,
  ): Promise<OrderDocument> {
    // The same key may have been placed while this one waited in the queue: that is its answer.
    const placed = await orders.findByIdempotencyKey(userId, key);
    if (placed) return placed;
    await requireHoldRoom(userId, unitsOf(items));
    const now = new Date();
    const order: Omit<OrderDocument, 'outbox'> = {
      _id: newOrderId(),
      userId,
      idempotencyKey: key,
      items,
      shipping,
      ...chargesOf(items, shipping, shippingAddress.country),
      status: 'PENDING',
      shippingAddress,
      statusHistory: [{ status: 'PENDING', at: now }],
      payment: payment.start(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      reapAt: new Date(now.getTime() + reaper.pendingTimeoutMs),
      reapAttempts: 0,
    };
    try {
      await orders.insert(order, orderPlaced(scope, order));
    } catch (error) {
      // Two checkouts with one key at once (another replica): the unique index let one through; both get that order.
      if (!isDuplicateKeyError(error)) throw error;
      const winner = await orders.findByIdempotencyKey(userId, key);
      if (!winner) throw error;
      return winner;
    }
    // Lines added while we were checking out stay in the cart.
    await carts.clearIfUnchanged(userId, cartVersion);
    scope.logger.info('order placed', { orderId: order._id, lines: items.length });
    return order;
  }

  return {
    /** Null unless the viewer owns the order or is an admin. */
    async get(scope: Scope, id: string): Promise<OrderDocument | null> {
      const viewer = requireViewer(scope.auth);
      const order = await orders.findById(id);
      return order && (order.userId === viewer.userId || isAdmin(viewer)) ? order : null;
    },

    /**
     * Federation references, batched (one query for every `Order` of an `_entities` request): the same
     * rule as `get`, each order for its owner and admins only, null otherwise; in the order of `ids`.
     */
    getManyForReference: async (scope: Scope, ids: readonly string[]): Promise<(OrderDocument | null)[]> => {
      const viewer = scope.auth.viewer;
      if (!viewer) return ids.map(() => null);
      const byId = new Map((await orders.findByIds(ids)).map((order) => [order._id, order]));
      return ids.map((id) => {
        const order = byId.get(id);
        return order && (order.userId === viewer.userId || isAdmin(viewer)) ? order : null;
      });
    },

    /** A user's orders: for that user and admins. */
    listForUser(scope: Scope, userId: string, args: { first?: number | null; after?: string | null }): Promise<OrderPage> {
      requireOwnerOrAdmin(scope, userId);
      return page({ userId }, args.first, args.after);
    },

    listAll(
      scope: Scope,
      args: {
        filter?: { status?: OrderStatus | null; userId?: string | null } | null;
        first?: number | null;
        after?: string | null;
      },
    ): Promise<OrderPage> {
      requireRole(scope.auth, 'ADMIN');
      const f = args.filter ?? {};
      if (f.status && !ORDER_STATUSES.includes(f.status)) throw new BadUserInputError('unknown status', 'filter.status');
      return page(
        { ...(f.status ? { status: f.status } : {}), ...(f.userId ? { userId: f.userId } : {}) },
        args.first,
        args.after,
      );
    },

    /**
     * Places a PENDING order for the cart. Names and prices come from the catalog projection as a
     * snapshot; the charged prices are fixed by products when it reserves the stock (stock.reserved).
     * Nothing the client sends besides the address and the key reaches the order.
     */
    async checkout(scope: Scope, input: CheckoutInput): Promise<OrderDocument> {
      const viewer = requireViewer(scope.auth);
      const key = input.idempotencyKey.trim();
      if (key.length < 8 || key.length > 128)
        throw new BadUserInputError('idempotencyKey must be 8 to 128 characters', 'idempotencyKey');
      const existing = await orders.findByIdempotencyKey(viewer.userId, key);
      if (existing) return existing;

      const shippingAddress = await shippingAddressOf(scope, viewer.userId, input);
      const cart = await carts.forCheckout(viewer.userId);
      if (cart.items.length === 0) {
        // A checkout with the same key may have placed its order and emptied the cart since the
        // look-up above: that is this checkout's answer too, not "the cart is empty".
        const placed = await orders.findByIdempotencyKey(viewer.userId, key);
        if (placed) return placed;
        throw new BadUserInputError('The cart is empty', 'cart');
      }
      const items: OrderItemDocument[] = cart.items.map((i) => ({
        productId: i.productId,
        name: i.product.name,
        unitPrice: { ...i.product.price },
        quantity: i.quantity,
      }));
      if (new Set(items.map((i) => i.unitPrice.currency)).size > 1)
        throw new BadUserInputError('The cart mixes currencies; check out one currency at a time', 'cart');
      const shipping = pricing.shippingFor(shippingAddress.country, items[0]!.unitPrice.currency, input.shippingMethod);
      // One customer's checkouts one at a time in this process, so two at once cannot both pass the caps.
      return serializedWrite(documentKey('checkout', viewer.userId), () =>
        place(scope, viewer.userId, key, items, shippingAddress, shipping, cart.version),
      );
    },

    async cancel(scope: Scope, id: string): Promise<OrderDocument> {
      const { viewer, order } = await requireVisible(scope, id);
      const byCustomer = order.userId === viewer.userId;
      const result = await orders.transition(id, ['PENDING', 'CONFIRMED'], (current) => ({
        set: { status: 'CANCELLED', payment: payment.onCancelled(current.payment) },
        history: { status: 'CANCELLED', at: new Date(), reason: byCustomer ? 'by the customer' : 'by an admin' },
        event: (version) => orderCancelled(scope, current, version, byCustomer ? 'CUSTOMER' : 'ADMIN'),
      }));
      if (!('changed' in result)) throw new ConflictError(`Only PENDING or CONFIRMED orders can be cancelled`);
      scope.logger.info('order cancelled', { orderId: id, userId: viewer.userId });
      return result.changed;
    },

    async ship(scope: Scope, id: string): Promise<OrderDocument> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const result = await orders.transition(id, ['CONFIRMED'], (current) => ({
        set: { status: 'SHIPPED' },
        history: { status: 'SHIPPED', at: new Date() },
        event: (version) => orderShipped(scope, current, version),
      }));
      if (!('changed' in result)) {
        if (!result.current) throw new NotFoundError('Order not found');
        throw new ConflictError('Only CONFIRMED orders can be shipped');
      }
      scope.logger.info('order shipped', { orderId: id, userId: viewer.userId });
      return result.changed;
    },

    async markPaid(scope: Scope, id: string): Promise<OrderDocument> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const now = new Date();
      const result = await orders.transition(id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], (current) => ({
        set: { payment: payment.markPaid(current.payment, now) },
      }));
      if (!('changed' in result)) {
        if (!result.current) throw new NotFoundError('Order not found');
        throw new ConflictError('The order has nothing to pay (it is not confirmed)');
      }
      scope.logger.info('order marked paid', { orderId: id, userId: viewer.userId });
      return result.changed;
    },

    /** stock.reserved: the order is CONFIRMED at the reserved prices; ignored unless still PENDING (idempotent). */
    async confirm(scope: Scope, orderId: string, lines: OrderItemDocument[]): Promise<void> {
      const result = await orders.transition(orderId, ['PENDING'], (current) => {
        const byProduct = new Map(lines.map((l) => [l.productId, l]));
        const items = current.items.map((i) => {
          const reserved = byProduct.get(i.productId);
          if (!reserved || reserved.quantity !== i.quantity) throw new Error(`stock.reserved does not match order ${orderId}`);
          return { ...i, name: reserved.name, unitPrice: { ...reserved.unitPrice } };
        });
        // Re-priced at the reserved prices; shipping and the tax rate stay those of the checkout.
        const priced = current.shipping
          ? chargesOf(items, current.shipping, current.shippingAddress.country, current.taxRate)
          : { total: totalOf(items) };
        const confirmed = { ...current, items, ...priced };
        const due = payment.onConfirmed(current.payment);
        return {
          set: {
            status: 'CONFIRMED',
            items,
            ...priced,
            payment: due,
            // Unpaid by then, it is cancelled and its stock released (expireUnpaid).
            ...(due.status === 'DUE' ? { payBy: new Date(Date.now() + holds.unpaidExpiryMs) } : {}),
          },
          history: { status: 'CONFIRMED', at: new Date() },
          event: (version) => orderConfirmed(scope, confirmed, version),
        };
      });
      if ('changed' in result) scope.logger.info('order confirmed', { orderId });
      else if (!result.current) throw new Error(`stock.reserved for unknown order ${orderId}`);
    },

    /**
     * One pass of the reaper over PENDING orders whose timer is due (at most a batch): an order.placed
     * lost on the way (dead-lettered, unrouted) is sent again through the outbox, up to
     * `maxRepublish` times; after that the order is REJECTED as TIMED_OUT, and its order.rejected
     * tells products to release anything it holds. Every step is a guarded transition of PENDING,
     * so a stock answer arriving meanwhile wins, and two replicas never both act.
     */
    async reapPending(scope: Scope, now = new Date()): Promise<{ republished: number; rejected: number }> {
      const counts = { republished: 0, rejected: 0 };
      for (const due of await orders.duePending(now, reaper.batchSize)) {
        const giveUp = (due.reapAttempts ?? 0) >= reaper.maxRepublish;
        const result = await orders.transition(due._id, ['PENDING'], (current) => {
          if (current.reapAt && current.reapAt > now) return { set: {} }; // another replica acted
          if (giveUp) {
            const reason = 'TIMED_OUT' as const;
            return {
              set: { status: 'REJECTED', rejectionReason: reason, payment: payment.onCancelled(current.payment) },
              history: { status: 'REJECTED', at: now, reason },
              event: (version) => orderRejected(scope, current, version, reason),
            };
          }
          return {
            set: { reapAt: new Date(now.getTime() + reaper.pendingTimeoutMs), reapAttempts: (current.reapAttempts ?? 0) + 1 },
            // The same request again: products' reservation is per order, so a repeat holds nothing twice.
            event: (version) => orderPlaced(scope, { ...current, version }),
          };
        });
        if (!('changed' in result)) continue; // answered meanwhile
        if (result.changed.status === 'REJECTED') {
          counts.rejected++;
          scope.logger.warn('pending order rejected: no stock answer in time', { orderId: due._id });
        } else if ((result.changed.reapAttempts ?? 0) > (due.reapAttempts ?? 0)) {
          counts.republished++;
          scope.logger.warn('pending order: order.placed sent again', { orderId: due._id, attempt: result.changed.reapAttempts });
        }
      }
      return counts;
    },

    /**
     * One pass over CONFIRMED orders still unpaid past their `payBy` (at most a batch): each is
     * CANCELLED with reason PAYMENT_EXPIRED, and its order.cancelled makes products release the
     * stock and notifications mail the customer. A guarded transition of CONFIRMED that re-reads the
     * payment, so a payment recorded meanwhile wins and two replicas never both cancel.
     */
    async expireUnpaid(scope: Scope, now = new Date()): Promise<{ expired: number }> {
      let expired = 0;
      for (const due of await orders.dueUnpaid(now, reaper.batchSize)) {
        const result = await orders.transition(due._id, ['CONFIRMED'], (current) => {
          if (current.payment.status !== 'DUE' || !current.payBy || current.payBy > now) return { set: {} };
          return {
            set: { status: 'CANCELLED', payment: payment.onCancelled(current.payment) },
            history: { status: 'CANCELLED', at: now, reason: 'payment not received in time' },
            event: (version) => orderCancelled(scope, current, version, 'PAYMENT_EXPIRED'),
          };
        });
        if ('changed' in result && result.changed.status === 'CANCELLED') {
          expired++;
          scope.logger.info('unpaid order expired', { orderId: due._id, userId: due.userId });
        }
      }
      return { expired };
    },

    /** stock.rejected: nothing is held; the order is REJECTED with the reason (idempotent). */
    async reject(scope: Scope, orderId: string, reason: StockRejectionReason): Promise<void> {
      const result = await orders.transition(orderId, ['PENDING'], (current) => ({
        set: { status: 'REJECTED', rejectionReason: reason, payment: payment.onCancelled(current.payment) },
        history: { status: 'REJECTED', at: new Date(), reason },
        event: (version) => orderRejected(scope, current, version, reason),
      }));
      if ('changed' in result) scope.logger.info('order rejected', { orderId, reason });
      else if (!result.current) throw new Error(`stock.rejected for unknown order ${orderId}`);
    },
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
