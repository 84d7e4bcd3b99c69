import type { Counters } from './types.js';

/** In-memory counters of one run; the run record and the Prometheus textfile read them at the end. */
export class RunCounters implements Counters {
  readonly #values = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
