import { describe, expect, it } from 'vitest';
import { createInflightDedup } from './inflight-dedup.js';

/** A fetch the test settles by hand, so "in flight at the same time" is exact, not timing-dependent. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('in-flight deduplication', () => {
  it('shares one fetch between callers with the same key while it is in flight', async () => {
    const dedup = createInflightDedup<string>(10);
    const upstream = deferred<string>();
    let calls = 0;
    const fetch = () => {
      calls++;
      return upstream.promise;
    };
    const a = dedup.run('k', fetch);
    const b = dedup.run('k', fetch);
    expect(dedup.stats()).toEqual({ leaders: 1, followers: 1, overflow: 0, inFlight: 1 });
    upstream.resolve('answer');
    expect(await a).toEqual({ value: 'answer', shared: false });
    expect(await b).toEqual({ value: 'answer', shared: true });
    expect(calls).toBe(1);
    // Settled entries are gone: the next caller fetches again (nothing is cached).
    const next = deferred<string>();
    const c = dedup.run('k', () => next.promise);
    next.resolve('fresh');
    expect(await c).toEqual({ value: 'fresh', shared: false });
    expect(dedup.stats().inFlight).toBe(0);
  });

  it('never shares between different keys', async () => {
    const dedup = createInflightDedup<string>(10);
    const [one, two] = [deferred<string>(), deferred<string>()];
    const a = dedup.run('user-a', () => one.promise);
    const b = dedup.run('user-b', () => two.promise);
    two.resolve('b');
    one.resolve('a');
    expect([await a, await b]).toEqual([
      { value: 'a', shared: false },
      { value: 'b', shared: false },
    ]);
  });

  it('passes a failure to every sharer and forgets the key', async () => {
    const dedup = createInflightDedup<string>(10);
    const upstream = deferred<string>();
    const a = dedup.run('k', () => upstream.promise);
    const b = dedup.run('k', () => upstream.promise);
    upstream.reject(new Error('subgraph down'));
    await expect(a).rejects.toThrow('subgraph down');
    await expect(b).rejects.toThrow('subgraph down');
    expect(dedup.stats().inFlight).toBe(0);
  });

  it('fetches on its own past the table bound', async () => {
    const dedup = createInflightDedup<string>(1);
    const held = deferred<string>();
    const a = dedup.run('a', () => held.promise);
    const b = await dedup.run('b', async () => 'b');
    expect(b).toEqual({ value: 'b', shared: false });
    expect(dedup.stats()).toMatchObject({ leaders: 1, overflow: 1, inFlight: 1 });
    held.resolve('a');
    await a;
  });
});
