import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, EventInput } from '@little-ecom/events';
import { eventually } from '@little-ecom/testing';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { USERS, type UserDocument } from '../src/users/user.repository.js';
import { startHarness, uniqueEmail, type Harness } from './support.js';

// Which product.updated events become marketing emails: decided per kind (price, stock) from the
// versions seen of that kind, and from why the stock changed (issue 20, items 4 and 7).
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** A fresh product and one fan who wants every marketing email about it. */
async function fanAndProduct() {
  const fan: UserDocument = {
    _id: randomUUID(),
    email: uniqueEmail('fan'),
    name: 'Fan',
    preferences: { priceDrops: true, backInStock: true },
    updatedAt: new Date(),
  };
  await h.db.db.collection<UserDocument>(USERS).insertOne(fan);
  const product = { productId: randomUUID(), slug: 'lamp', name: 'Lamp' };
  const update = async (data: Omit<EventInput<'product.updated'>, 'productId' | 'slug' | 'name'>): Promise<EventEnvelope> => {
    const event = await h.publisher.publish('product.updated', { ...product, ...data });
    // Handled (whatever it decided): the handler logs its decision once per event.
    await eventually(async () =>
      h.logs.some((l) => l['msg'] === 'product update handled' && l['eventId'] === event.id) ? true : undefined,
    );
    return event;
  };
  const kinds = async () =>
    (await h.db.db.collection<NotificationDocument>(NOTIFICATIONS).find({ recipientId: fan._id }).toArray())
      .map((n) => n.kind)
      .sort();
  return { fan, product, update, kinds };
}

describe('reordered product.updated deliveries (item 7)', () => {
  it('still mails a price drop overtaken by a newer update that did not touch the price', async () => {
    const { update, kinds } = await fanAndProduct();
    // v3 renames (same price), v2 dropped the price but is delivered late.
    await update({
      price: { before: eur(800), after: eur(800) },
      stock: { before: 4, after: 4 },
      changed: ['name'],
      aggregateVersion: 3,
    });
    await update({
      price: { before: eur(1000), after: eur(800) },
      stock: { before: 4, after: 4 },
      changed: ['price'],
      aggregateVersion: 2,
    });
    expect(await kinds()).toEqual(['PRICE_DROP']);
  });

  it('still mails a restock overtaken by a newer reservation that left units in stock', async () => {
    const { update, kinds } = await fanAndProduct();
    const newer = { price: { before: eur(500), after: eur(500) }, changed: ['stock'] };
    await update({ ...newer, stock: { before: 5, after: 3 }, stockChangeCause: 'reservation', aggregateVersion: 3 });
    await update({ ...newer, stock: { before: 0, after: 5 }, stockChangeCause: 'restock', aggregateVersion: 2 });
    expect(await kinds()).toEqual(['BACK_IN_STOCK']);
  });

  it('mails no restock overtaken by a newer update that sold the product out again', async () => {
    const { update, kinds } = await fanAndProduct();
    const newer = { price: { before: eur(500), after: eur(500) }, changed: ['stock'] };
    await update({ ...newer, stock: { before: 5, after: 0 }, stockChangeCause: 'reservation', aggregateVersion: 3 });
    await update({ ...newer, stock: { before: 0, after: 5 }, stockChangeCause: 'restock', aggregateVersion: 2 });
    expect(await kinds()).toEqual([]);
  });
});

describe('stock change causes (item 4)', () => {
  it('sends no back-in-stock email when a rejected or cancelled order gives back the units it held', async () => {
    const { update, kinds } = await fanAndProduct();
    const base = { price: { before: eur(500), after: eur(500) }, changed: ['stock'] };
    await update({ ...base, stock: { before: 1, after: 0 }, stockChangeCause: 'reservation', aggregateVersion: 2 });
    await update({ ...base, stock: { before: 0, after: 1 }, stockChangeCause: 'release', aggregateVersion: 3 });
    expect(await kinds()).toEqual([]);
  });

  it('sends at most one back-in-stock email per user and product a day', async () => {
    const { update, kinds } = await fanAndProduct();
    const base = { price: { before: eur(500), after: eur(500) }, changed: ['stock'] };
    await update({ ...base, stock: { before: 0, after: 5 }, stockChangeCause: 'restock', aggregateVersion: 2 });
    await update({ ...base, stock: { before: 5, after: 0 }, stockChangeCause: 'admin', aggregateVersion: 3 });
    await update({ ...base, stock: { before: 0, after: 5 }, stockChangeCause: 'restock', aggregateVersion: 4 });
    expect(await kinds()).toEqual(['BACK_IN_STOCK']);
  });
});
