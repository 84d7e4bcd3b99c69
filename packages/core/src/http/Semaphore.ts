/** Counts permits; a waiter that gives up (signal) leaves the queue without taking one. */
export class Semaphore {
  #available: number;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    this.#available = limit;
  }

  get inUse(): number {
    return this.limit - this.#available;
  }

  /** Resolves with the release function once a permit is free; releasing twice is a no-op. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#available > 0) {
      this.#available--;
      return this.#releaser();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#releaser());
      };
      this.#waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // hand the permit straight to the next waiter so a newcomer cannot jump the queue
      const next = this.#waiters.shift();
      if (next) next();
      else this.#available++;
    };
  }
}
