import { describe, expect, it } from 'vitest';
import { createWakeup } from './wakeup.js';

describe('createWakeup', () => {
  it('ends a sleep early when woken', async () => {
    const wakeup = createWakeup();
    const started = Date.now();
    setTimeout(() => wakeup.wake(), 20);
    await wakeup.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a wake-up that came while busy, until the next round begins', async () => {
    const wakeup = createWakeup();
    wakeup.wake();
    const started = Date.now();
    await wakeup.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(100);
    wakeup.beginRound();
    const timed = Date.now();
    await wakeup.sleep(50);
    expect(Date.now() - timed).toBeGreaterThanOrEqual(40);
  });

  it('stops for good', async () => {
    const wakeup = createWakeup();
    setTimeout(() => wakeup.stop(), 10);
    await wakeup.sleep(5_000);
    expect(wakeup.stopped).toBe(true);
    const started = Date.now();
    await wakeup.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
