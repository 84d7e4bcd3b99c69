import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/http/RateLimiter.js';
import { Semaphore } from '../../../src/http/Semaphore.js';

describe('Class: Semaphore', () => {
  it('grants up to the limit, then hands permits over in order', async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    const order: number[] = [];
    const third = semaphore.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const fourth = semaphore.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(semaphore.inUse).toBe(2);
    expect(order).toEqual([]);
    first();
    first(); // a second release of the same permit is a no-op
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(semaphore.inUse).toBe(2);
  });

  it('drops a waiter whose signal aborts, without leaking its permit', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    release();
    expect(semaphore.inUse).toBe(0);
  });
});

describe('Class: RateLimiter', () => {
  it('spaces sends 1/rate apart', async () => {
    const limiter = new RateLimiter(50); // 20 ms apart
    const started = performance.now();
    await Promise.all([limiter.wait(), limiter.wait(), limiter.wait(), limiter.wait()]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
