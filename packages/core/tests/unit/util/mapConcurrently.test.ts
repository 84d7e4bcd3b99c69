import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors/index.js';
import { mapConcurrently } from '../../../src/util/index.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapConcurrently', () => {
  it('keeps the input order whatever order the calls finish in', async () => {
    const out = await mapConcurrently(
      [3, 1, 2],
      async (n) => {
        for (let i = 0; i < n; i++) await tick();
        return n * 10;
      },
      { concurrency: 3 },
    );
    expect(out).toEqual([30, 10, 20]);
  });

  it('has at most `concurrency` calls in flight, and one by default', async () => {
    for (const [concurrency, expected] of [
      [undefined, 1],
      [3, 3],
    ] as const) {
      let inFlight = 0;
      let peak = 0;
      await mapConcurrently(
        Array.from({ length: 10 }, (_, i) => i),
        async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await tick();
          inFlight -= 1;
        },
        { concurrency },
      );
      expect(peak).toBe(expected);
    }
  });

  it('after a failure starts nothing new, lets running calls finish, then rejects with the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapConcurrently(
      [0, 1, 2, 3, 4, 5],
      async (n) => {
        started.push(n);
        await tick();
        if (n === 0) throw new Error('first');
        await tick();
        if (n === 1) throw new Error('second');
        for (let i = 0; i < 5; i++) await tick();
        finished.push(n);
      },
      { concurrency: 3 },
    );
    await expect(run).rejects.toThrow('first');
    // 1 and 2 were running when 0 failed; 2 ran to its end before the promise settled
    expect(started).toEqual([0, 1, 2]);
    expect(finished).toEqual([2]);
  });

  it('on abort starts nothing new and rejects with the signal reason once running calls are done', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    let running = 0;
    const run = mapConcurrently(
      [0, 1, 2, 3, 4],
      async (n) => {
        started.push(n);
        running += 1;
        await tick();
        if (n === 1) controller.abort(new InterruptedError('SIGINT'));
        await tick();
        running -= 1;
      },
      { concurrency: 2, signal: controller.signal },
    );
    await expect(run).rejects.toMatchObject({ name: 'InterruptedError', exitCode: 130 });
    expect(started).toEqual([0, 1]);
    expect(running).toBe(0);
  });

  it('aborted before it starts: calls nothing; a reason that is not ours reads as SIGTERM', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const error = await mapConcurrently([1, 2], async () => calls++, { signal: controller.signal }).catch(
      (e) => e,
    );
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(143);
  });
});
