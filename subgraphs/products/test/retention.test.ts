import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRetentionSweep, sweepOnce } from '@little-ecom/coordination';
import { eventually, freshDatabase, type TestDatabase } from '@little-ecom/testing';
import { loadProductsConfig } from '../src/config.js';
import {
  ORDER_STOCK,
  orderStockRetention,
  type OrderStockDocument,
  type ReservationState,
} from '../src/stock/stock.repository.js';

// FerretDB has no TTL indexes: finished orders' stock records are deleted by a sweep, in bounded
// batches by _id; an order holding stock, a recent one or one with events still to publish stays.
const DAY = 24 * 60 * 60_000;

describe('the order stock retention sweep', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase('order_stock_retention');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('deletes old finished orders in bounded batches and keeps reserved, recent and unpublished ones', async () => {
    const now = Date.now();
    let n = 0;
    const order = (state: ReservationState, ageDays: number, extra: Partial<OrderStockDocument> = {}): OrderStockDocument => {
      const at = new Date(now - ageDays * DAY);
      return { _id: `order-${n++}`, state, lines: [], version: 1, createdAt: at, updatedAt: at, ...extra };
    };
    const old = [
      ...Array.from({ length: 12 }, () => order('SHIPPED', 120)),
      ...Array.from({ length: 6 }, () => order('REJECTED', 100)),
      ...Array.from({ length: 6 }, () => order('CANCELLED', 95, { outbox: [] })),
    ];
    const kept = [
      // Holds stock for months: never deleted.
      ...Array.from({ length: 3 }, () => order('RESERVED', 200)),
      ...Array.from({ length: 3 }, () => order('RESERVING', 200)),
      ...Array.from({ length: 3 }, () => order('SHIPPED', 10)),
      // Its stock.* event still waits in the outbox (the broker was away): kept until published.
      order('CANCELLED', 150, { outboxDueAt: new Date(now - 150 * DAY) }),
    ];
    const col = database.db.collection<OrderStockDocument>(ORDER_STOCK);
    await col.insertMany([...old, ...kept]);

    const { retention } = loadProductsConfig({ NODE_ENV: 'test' });
    expect(retention.orderStockMs).toBe(90 * DAY);
    const rules = [orderStockRetention(retention.orderStockMs)];
    // Two replicas start their sweeps together: one holds the lease and sweeps, the other skips.
    const passes: Record<string, number>[] = [];
    const replicas = [0, 1].map(() =>
      startRetentionSweep({
        db: database.db,
        leaseCollection: 'retention_leases',
        rules,
        settings: { intervalMs: 3_600_000, batchSize: 5, maxBatches: 1 },
        onSwept: (deleted) => passes.push(deleted),
      }),
    );
    await eventually(async () => (passes.length > 0 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    for (const replica of replicas) await replica.stop();
    expect(passes).toEqual([{ order_stock: 5 }]);

    // Bounded: at most 2 × 5 records per pass; the rest waits for the next one.
    const settings = { batchSize: 5, maxBatches: 2 };
    expect(await sweepOnce(database.db, rules, settings)).toEqual({ order_stock: 10 });
    expect(await sweepOnce(database.db, rules, settings)).toEqual({ order_stock: 9 });
    expect(await sweepOnce(database.db, rules, settings)).toEqual({ order_stock: 0 });
    const left = (await col.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(left.sort()).toEqual(kept.map((d) => d._id).sort());
  });
});
