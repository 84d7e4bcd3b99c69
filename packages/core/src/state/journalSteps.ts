import { InternalError } from '../errors/index.js';

/**
 * What a journal knows of its steps, replayed from its records in order: the one step state
 * machine both backends (file, PostgreSQL) share. A step is unfinished from its `begin` until
 * its `complete` or `fail`; a completed step keeps its result and can never begin again.
 */
export class JournalSteps {
  readonly #key: string;
  readonly #completed = new Map<string, unknown>();
  readonly #unfinished = new Set<string>();

  constructor(key: string) {
    this.#key = key;
  }

  record(kind: 'begin' | 'complete' | 'fail', step: string, result?: unknown): void {
    if (kind === 'begin') this.#unfinished.add(step);
    else if (kind === 'complete') {
      this.#completed.set(step, result);
      this.#unfinished.delete(step);
    } else this.#unfinished.delete(step);
  }

  isCompleted(stepId: string): boolean {
    return this.#completed.has(stepId);
  }

  completedSteps(): string[] {
    return [...this.#completed.keys()];
  }

  unfinishedSteps(): string[] {
    return [...this.#unfinished];
  }

  result<T = unknown>(stepId: string): T | undefined {
    return this.#completed.get(stepId) as T | undefined;
  }

  assertNotCompleted(stepId: string, what: string): void {
    if (this.#completed.has(stepId)) {
      throw new InternalError(
        `cannot ${what} step "${stepId}": journal "${this.#key}" already has it completed; check isCompleted() first`,
      );
    }
  }
}
