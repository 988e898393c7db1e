import {
  CONSUMER_BINDINGS,
  PoisonMessageError,
  type CheckedEvent,
  type PricedLineData,
  type StockLineData,
  type StockRejectionReason,
} from '@little-ecom/events';
import type { Scope } from '@little-ecom/scope';
import { productUpdated } from '../catalog/product.events.js';
import { stockRejected, stockReserved } from './stock.events.js';
import type { StockEvent, StockRepository } from './stock.repository.js';

/** The routing keys products consumes: the order saga's commands to it. */
export const STOCK_BINDINGS = [...CONSUMER_BINDINGS.products];

const MAX_LINES = 100;

/**
 * The contract checks each line's shape; what it cannot say is poison too: a product on two lines
 * (reservations are per order and product, so it would be held once) or an order too long to hold.
 */
function orderLines(items: StockLineData[]): StockLineData[] {
  if (items.length > MAX_LINES) throw new PoisonMessageError(`an order has at most ${MAX_LINES} lines`);
  if (new Set(items.map((l) => l.productId)).size !== items.length)
    throw new PoisonMessageError('a product appears on two lines');
  return items;
}

/**
 * The products side of the order saga. Every handler is idempotent: redelivering an event, or
 * delivering a cancel before, during or after the reservation, never takes or gives back a unit twice,
 * because each product records the units it holds per order and each order's progress is one
 * conditionally updated document.
 */
export function createStockHandler(deps: { stock: StockRepository }) {
  const { stock } = deps;

  // The stock change of an order is a product change like any other: product.updated with before/after,
  // tagged with its cause so notifications does not take a release for a restock.
  const stockChanged =
    (scope: Scope, cause: 'reservation' | 'release'): StockEvent =>
    (before, after) =>
      productUpdated(scope, before, after, ['stock'], cause);

  const releaseAll = async (scope: Scope, orderId: string, lines: StockLineData[]) => {
    for (const line of lines) await stock.releaseLine(orderId, line.productId, stockChanged(scope, 'release'));
  };

  async function onPlaced(scope: Scope, event: CheckedEvent<'order.placed'>): Promise<void> {
    const { orderId } = event.data;
    const lines = orderLines(event.data.items);
    const doc = await stock.startOrder(orderId, lines, 'RESERVING');
    if (doc.state === 'CANCELLED') {
      // A cancel overtook us; a crashed earlier attempt may have left units held: give them back.
      await releaseAll(scope, orderId, doc.lines);
      return;
    }
    if (doc.state !== 'RESERVING') return; // decided before: its stock.* event is in the outbox already

    // Lines one by one, in the order given; the first that fails undoes the ones before it.
    const reserved: PricedLineData[] = [];
    let rejection: { reason: StockRejectionReason; productId: string | null } | null = null;
    for (const line of doc.lines) {
      const outcome = await stock.reserveLine(orderId, line, stockChanged(scope, 'reservation'));
      if (!outcome.ok) {
        rejection = { reason: outcome.reason, productId: line.productId };
        break;
      }
      reserved.push({ ...line, name: outcome.reservation.name, unitPrice: { ...outcome.reservation.unitPrice } });
    }
    const currencies = new Set(reserved.map((l) => l.unitPrice.currency));
    if (!rejection && currencies.size > 1) rejection = { reason: 'MIXED_CURRENCIES', productId: null };

    if (rejection) {
      await releaseAll(scope, orderId, doc.lines);
      const rejected = rejection;
      const moved = await stock.transition(orderId, 'RESERVING', 'REJECTED', (version) =>
        stockRejected(scope, orderId, rejected, version),
      );
      if (moved) scope.logger.info('order stock rejected', { orderId, reason: rejected.reason });
      return;
    }
    const moved = await stock.transition(orderId, 'RESERVING', 'RESERVED', (version) =>
      stockReserved(scope, orderId, reserved, version),
    );
    if (moved) {
      scope.logger.info('order stock reserved', { orderId, lines: reserved.length });
      return;
    }
    // The order was cancelled while we reserved (or another replica decided first): undo what this attempt holds.
    const now = await stock.findOrder(orderId);
    if (now?.state === 'CANCELLED') await releaseAll(scope, orderId, doc.lines);
  }

  async function onCancelled(scope: Scope, event: CheckedEvent<'order.cancelled' | 'order.rejected'>): Promise<void> {
    const { orderId } = event.data;
    const lines = orderLines(event.data.items);
    // Unknown order: remember the cancel, so a late order.placed reserves nothing.
    let doc = await stock.startOrder(orderId, lines, 'CANCELLED');
    // Bounded: each lost race means the reservation moved on (RESERVING -> RESERVED or REJECTED), which happens once.
    for (let attempt = 0; doc.state !== 'CANCELLED' && attempt < 5; attempt++) {
      if (doc.state === 'REJECTED' || doc.state === 'SHIPPED') return; // nothing is held, or it is gone for good
      await stock.transition(orderId, doc.state, 'CANCELLED');
      doc = (await stock.findOrder(orderId)) ?? doc;
    }
    if (doc.state !== 'CANCELLED') throw new Error(`order ${orderId} kept changing while being cancelled`);
    // Releasing is per product and per order, so doing it again after a crash or redelivery gives nothing back twice.
    await releaseAll(scope, orderId, doc.lines);
    scope.logger.info('order stock released', { orderId });
  }

  async function onShipped(scope: Scope, event: CheckedEvent<'order.shipped'>): Promise<void> {
    const { orderId } = event.data;
    const doc = await stock.findOrder(orderId);
    if (!doc) throw new Error(`order ${orderId} shipped before its reservation was recorded`);
    if (doc.state === 'RESERVED') await stock.transition(orderId, 'RESERVED', 'SHIPPED');
    const after = await stock.findOrder(orderId);
    if (after?.state !== 'SHIPPED') return;
    for (const line of doc.lines) await stock.commitLine(orderId, line.productId);
    scope.logger.info('order stock shipped', { orderId });
  }

  return async (scope: Scope, event: CheckedEvent): Promise<void> => {
    if (event.type === 'order.placed') return onPlaced(scope, event);
    // Rejected by orders itself (its reaper timed out waiting): give back what is held, like a cancel.
    // A rejection products decided finds the reservation REJECTED already: nothing to do.
    if (event.type === 'order.cancelled' || event.type === 'order.rejected') return onCancelled(scope, event);
    if (event.type === 'order.shipped') return onShipped(scope, event);
  };
}
