import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { RESET_TOKEN_PURPOSE, buildEvent, publishOptions } from '@little-ecom/events';
import { loadSecretBox } from '@little-ecom/secrets';
import { replayDeadLetters } from '../src/events/dead-letters.js';
import { NOTIFICATIONS, type NotificationDocument } from '../src/notifications/notification.repository.js';
import { mailText, mailTo, sleep, startHarness, uniqueEmail, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const notifications = () => h.db.db.collection<NotificationDocument>(NOTIFICATIONS);

async function registered(label: string) {
  const user = { userId: randomUUID(), email: uniqueEmail(label), name: `${label} Tester`, role: 'CUSTOMER' };
  const event = await h.publisher.publish('user.registered', user);
  await eventually(async () => ((await mailTo(user.email)).length === 1 ? true : undefined));
  return { ...user, event };
}

const SET_PREFERENCES = `mutation($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { newProducts priceDrops backInStock }
}`;

describe('event consumer', () => {
  it('sends one welcome email for a user.registered event delivered twice', async () => {
    const user = await registered('twice');
    await h.publisher.republish(user.event);
    await h.publisher.republish(user.event);
    await sleep(800);
    const mail = await mailTo(user.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.Subject).toBe('Welcome to little-ecom');
    const records = await notifications().find({ eventId: user.event.id }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'WELCOME', status: 'SENT', attempts: 1 });
    expect(records[0]!.text).toBeUndefined(); // bodies are dropped once sent
  });

  it('dead-letters poison messages and keeps processing the next good one', async () => {
    await h.publisher.raw('user.registered', Buffer.from('{ not json'));
    await h.publisher.raw(
      'user.registered',
      Buffer.from(JSON.stringify({ id: randomUUID(), type: 'user.registered', version: 99, data: {} })),
    );
    await h.publisher.raw(
      'product.created',
      Buffer.from(
        JSON.stringify({
          id: randomUUID(),
          type: 'product.created',
          version: 1,
          occurredAt: new Date().toISOString(),
          source: 'x',
          correlationId: 'c',
          data: { name: 1 },
        }),
      ),
    );
    const good = await registered('after-poison');
    expect(await mailTo(good.email)).toHaveLength(1);

    const dead = await eventually(async () => {
      const { messageCount } = await h.publisher.channel.checkQueue(h.topology.deadLetterQueue);
      return messageCount === 3 ? messageCount : undefined;
    });
    expect(dead).toBe(3);
    const first = await h.publisher.channel.get(h.topology.deadLetterQueue, { noAck: true });
    expect(first && first.content.toString()).toBe('{ not json');
    expect(h.logs.filter((l) => l['msg'] === 'event dead-lettered')).toHaveLength(3);
  });

  it('sends price drop and back-in-stock emails only to users who opted in', async () => {
    const drops = await registered('drops');
    const restock = await registered('restock');
    const nobody = await registered('nobody');
    const asUser = (u: { userId: string }) => ({ sub: u.userId, role: 'CUSTOMER' });
    const a = await h.gql(SET_PREFERENCES, { input: { priceDrops: true } }, asUser(drops));
    expect(a.data).toEqual({ updateNotificationPreferences: { newProducts: false, priceDrops: true, backInStock: false } });
    await h.gql(SET_PREFERENCES, { input: { backInStock: true } }, asUser(restock));

    const productId = randomUUID().replace(/-/g, '').slice(0, 24);
    const product = { productId, slug: `lamp-${productId.slice(0, 6)}`, name: 'Walnut <Desk> Lamp' };
    await h.publisher.publish('product.updated', {
      ...product,
      price: { before: { amount: 4999, currency: 'EUR' }, after: { amount: 3999, currency: 'EUR' } },
      stock: { before: 0, after: 5 },
      changed: ['price', 'stock'],
    });
    // A price rise and a stock change that is no restock: nobody hears about them.
    await h.publisher.publish('product.updated', {
      ...product,
      price: { before: { amount: 3999, currency: 'EUR' }, after: { amount: 4599, currency: 'EUR' } },
      stock: { before: 5, after: 3 },
      changed: ['price', 'stock'],
    });

    await eventually(async () =>
      (await mailTo(drops.email)).length === 2 && (await mailTo(restock.email)).length === 2 ? true : undefined,
    );
    await sleep(800);
    const dropMail = (await mailTo(drops.email)).filter((m) => m.Subject !== 'Welcome to little-ecom');
    expect(dropMail.map((m) => m.Subject)).toEqual(['Price drop: Walnut <Desk> Lamp now €39.99']);
    const body = await mailText(dropMail[0]!.ID);
    expect(body.Text).toContain('from €49.99 to €39.99');
    expect(body.Text).toContain(`http://shop.test/products/${product.slug}`);
    expect(body.HTML).toContain('Walnut &lt;Desk&gt; Lamp');
    const restockMail = (await mailTo(restock.email)).filter((m) => m.Subject !== 'Welcome to little-ecom');
    expect(restockMail.map((m) => m.Subject)).toEqual(['Back in stock: Walnut <Desk> Lamp']);
    expect(await mailTo(nobody.email)).toHaveLength(1);
  });

  it('emails the password reset link', async () => {
    const user = await registered('reset');
    // As accounts sends it: sealed with the key both services share (the dev key file here).
    const event = await h.publisher.publish('user.password_reset_requested', {
      userId: user.userId,
      email: user.email,
      name: user.name,
      sealedResetToken: loadSecretBox({}).seal('tok-123_abc', RESET_TOKEN_PURPOSE),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const mail = await eventually(async () => {
      const found = (await mailTo(user.email)).find((m) => m.Subject === 'Reset your little-ecom password');
      return found;
    });
    expect((await mailText(mail.ID)).Text).toContain('http://shop.test/reset-password?token=tok-123_abc');
    const record = await notifications().findOne({ recipientId: user.userId, kind: 'PASSWORD_RESET' });
    expect(record?.text).toBeUndefined();
    // Only the email has it in the clear: not the message on the broker, the stored record or the logs.
    expect(JSON.stringify(event)).not.toContain('tok-123_abc');
    expect(JSON.stringify(record)).not.toContain('tok-123_abc');
    expect(JSON.stringify(h.logs)).not.toContain('tok-123_abc');
  });

  it('replays dead letters back to the queue once the cause is fixed', async () => {
    const ch = h.publisher.channel;
    await ch.purgeQueue(h.topology.deadLetterQueue);
    // A good event that was dead-lettered (say, its retries ran out while the database was down).
    const user = {
      userId: randomUUID(),
      email: uniqueEmail('replayed'),
      name: 'Replayed',
      role: 'CUSTOMER',
      aggregateVersion: 1,
    };
    const event = buildEvent('user.registered', user, { source: 'test', correlationId: 'replay' });
    ch.sendToQueue(h.topology.deadLetterQueue, Buffer.from(JSON.stringify(event)), publishOptions(event));
    ch.sendToQueue(h.topology.deadLetterQueue, Buffer.from('still poison'), { persistent: true });
    await ch.waitForConfirms();

    const listed = await replayDeadLetters(ch, h.topology, { limit: 10, dryRun: true });
    expect(listed.kept.map((l) => l.messageId)).toEqual([event.id, undefined]);
    const result = await replayDeadLetters(ch, h.topology, { limit: 10, types: ['user.registered'] });
    expect(result.replayed.map((l) => l.messageId)).toEqual([event.id]);
    expect(result.kept).toHaveLength(1);
    await eventually(async () => ((await mailTo(user.email)).length === 1 ? true : undefined));
    await eventually(async () => ((await ch.checkQueue(h.topology.deadLetterQueue)).messageCount === 1 ? true : undefined));
  });
});
