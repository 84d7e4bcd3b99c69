import { sleep } from '../retry/index.js';

/** Spaces sends at least 1/rate apart. Slots are reserved in call order, so waiters stay fair. */
export class RateLimiter {
  readonly #intervalMs: number;
  #nextAt = 0;

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.#nextAt);
    this.#nextAt = at + this.#intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}
