import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testEnv } from '@little-ecom/testing';
import { mailTo, sleep, startHarness, uniqueEmail, type Harness } from './support.js';

// A queue re-declared by someone else with other arguments makes the broker refuse the consumer's
// own declaration (406 PRECONDITION_FAILED): it never subscribes again until the queue is fixed, and
// /readyz must say so instead of staying green.
describe('a consumer queue declared with other arguments', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const readyz = async () => {
    const response = await fetch(h.url.replace(/\/graphql$/, '/readyz'));
    return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
  };

  it('makes the service unready while refused, and consumes again once fixed', async () => {
    await eventually(async () => ((await readyz()).status === 200 ? true : undefined));
    const model = await amqp.connect(testEnv.amqpUrl);
    try {
      const ch = await model.createChannel();
      // The consumer is cancelled by the deletion and declares its quorum queue again: refused.
      await ch.deleteQueue(h.topology.queue);
      await ch.assertQueue(h.topology.queue, { durable: true, arguments: { 'x-queue-type': 'classic', 'x-max-length': 5 } });
      const refused = await eventually(async () => {
        const r = await readyz();
        return r.status === 503 ? r : undefined;
      }, 15_000);
      expect(refused.body.checks['event-subscription']).toMatch(/not subscribed: .*PRECONDITION_FAILED/);

      // The operator removes the wrong queue: the consumer declares its own, subscribes, and is ready.
      await ch.deleteQueue(h.topology.queue);
      await eventually(async () => ((await readyz()).status === 200 ? true : undefined), 20_000);
      const user = { userId: randomUUID(), email: uniqueEmail('refused'), name: 'Refused', role: 'CUSTOMER' };
      await h.publisher.publish('user.registered', user);
      await eventually(async () => ((await mailTo(user.email)).length === 1 ? true : undefined), 15_000);
      await sleep(500);
      expect(await mailTo(user.email)).toHaveLength(1);
    } finally {
      await model.close().catch(() => undefined);
    }
  }, 60_000);
});
