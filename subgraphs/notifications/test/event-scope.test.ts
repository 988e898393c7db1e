import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { startHarness, type Harness } from './support.js';

// Each consumed event runs in a scope of its own: whatever a handler logs carries the correlation id
// of the change that caused the event, though no handler passes it to the logger.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const update = (productId: string, aggregateVersion: number) => ({
  productId,
  slug: 'scoped',
  name: 'Scoped',
  price: { before: { amount: 100, currency: 'EUR' }, after: { amount: 100, currency: 'EUR' } },
  stock: { before: 1, after: 1 },
  changed: ['name'],
  aggregateVersion,
});

describe('event scope', () => {
  it('tags the log lines written while handling an event with its correlation id', async () => {
    const productId = randomUUID();
    await h.publisher.publish('product.updated', update(productId, 5));
    const correlationId = `corr-${randomUUID()}`;
    // The handler logs each update it handles, with its version; no handler passes the correlation id.
    await h.publisher.publish('product.updated', update(productId, 3), correlationId);
    const record = await eventually(async () =>
      h.logs.find((r) => r['msg'] === 'product update handled' && r['productId'] === productId && r['aggregateVersion'] === 3),
    );
    expect(record['correlationId']).toBe(correlationId);
  });
});
