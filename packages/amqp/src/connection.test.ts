import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@little-ecom/logger';
import { createAmqpConnection } from './connection.js';
import { startTcpProxy } from './testing.js';
import { testEnv } from '@little-ecom/testing';

const AMQP_URL = testEnv.amqpUrl;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('createAmqpConnection', () => {
  it('reconnects after the network drops and runs every setup again', async () => {
    const proxy = await startTcpProxy(AMQP_URL);
    cleanups.push(() => proxy.close());
    const connection = createAmqpConnection({
      url: proxy.url,
      name: 'amqp-package-test',
      logger: silentLogger,
      minDelayMs: 20,
      maxDelayMs: 200,
    });
    cleanups.push(() => connection.close());
    let setups = 0;
    await connection.onConnect(async (model) => {
      await (await model.createChannel()).close();
      setups++;
    });
    const first = await connection.ready(5_000);
    expect(setups).toBe(1);

    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connection.current()).toBeNull();
    proxy.restore();
    const second = await connection.ready(5_000);
    expect(second).not.toBe(first);
    expect(setups).toBe(2);
  });

  it('keeps retrying while the broker is unreachable and gives up only when closed', async () => {
    const proxy = await startTcpProxy(AMQP_URL);
    cleanups.push(() => proxy.close());
    proxy.cut();
    const connection = createAmqpConnection({
      url: proxy.url,
      name: 'amqp-package-test-2',
      logger: silentLogger,
      minDelayMs: 20,
      maxDelayMs: 100,
    });
    await expect(connection.ready(300)).rejects.toThrow(/not ready/);
    proxy.restore();
    await connection.ready(5_000);
    await connection.close();
    expect(connection.current()).toBeNull();
  });
});
