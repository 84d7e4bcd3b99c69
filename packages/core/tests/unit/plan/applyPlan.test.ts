import { describe, expect, it } from 'vitest';
import { InterruptedError, PartialError, PermanentError, TransientError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import {
  applyPlan,
  isSettledFailure,
  type Plan,
  type PlanAction,
  type PlanJournal,
} from '../../../src/plan/index.js';

/** In-memory journal with the same contract as the file store's. */
class MemoryJournal implements PlanJournal {
  readonly done = new Set<string>();
  readonly events: string[] = [];
  finished = false;
  constructor(
    readonly resumed = false,
    completed: string[] = [],
  ) {
    for (const id of completed) this.done.add(id);
  }
  isCompleted(id: string) {
    return this.done.has(id);
  }
  async begin(id: string) {
    this.events.push(`begin ${id}`);
  }
  async complete(id: string) {
    this.done.add(id);
    this.events.push(`complete ${id}`);
  }
  async fail(id: string) {
    this.events.push(`fail ${id}`);
  }
  async finish() {
    this.finished = true;
  }
}

const logger = createLogger({ level: 'silent' }).logger;

function planOf(...actions: PlanAction[]): Plan {
  return { cli: 't', command: 'c', environment: 'default', target: '/x', actions, warnings: [] };
}
const create = (target: string): PlanAction => ({
  id: `create:${target}`,
  kind: 'create',
  target,
  reason: 'missing',
});

describe('applyPlan', () => {
  it('applies every non-skip action in order, journals each, counts them and finishes the journal', async () => {
    const journal = new MemoryJournal();
    const counters = new RunCounters();
    const applied: string[] = [];
    const result = await applyPlan(
      planOf(create('a'), { id: 'skip:b', kind: 'skip', target: 'b', reason: 'same' }, create('c')),
      { journal, logger, counters, apply: async (a) => void applied.push(a.target) },
    );
    expect(applied).toEqual(['a', 'c']);
    expect(journal.events).toEqual([
      'begin create:a',
      'complete create:a',
      'begin create:c',
      'complete create:c',
    ]);
    expect(journal.finished).toBe(true);
    expect(counters.get('actions_create')).toBe(2);
    expect(result).toMatchObject({ applied: 2, alreadyDone: 0, failed: 0 });
  });

  it('never repeats an action a previous, interrupted run completed', async () => {
    const journal = new MemoryJournal(true, ['create:a']);
    const applied: string[] = [];
    const result = await applyPlan(planOf(create('a'), create('b')), {
      journal,
      logger,
      apply: async (a) => void applied.push(a.target),
    });
    expect(applied).toEqual(['b']);
    expect(result).toMatchObject({ applied: 1, alreadyDone: 1, resumed: true });
  });

  it('reports an action the interrupted run completed, now planned as a skip, as already done', async () => {
    const journal = new MemoryJournal(true, ['write:a']);
    const applied: string[] = [];
    const result = await applyPlan(
      planOf(
        { id: 'write:a', kind: 'skip', target: 'a', reason: 'up to date' },
        { id: 'write:b', kind: 'skip', target: 'b', reason: 'up to date' },
        create('c'),
      ),
      { journal, logger, apply: async (a) => void applied.push(a.target) },
    );
    expect(applied).toEqual(['c']);
    expect(result.outcomes.map((o) => [o.id, o.status])).toEqual([
      ['write:a', 'already-done'],
      ['create:c', 'applied'],
    ]);
    expect(result).toMatchObject({ applied: 1, alreadyDone: 1, resumed: true });
  });

  it('stops at an action boundary when the signal is aborted, leaving the journal open', async () => {
    const journal = new MemoryJournal();
    const controller = new AbortController();
    const applied: string[] = [];
    const run = applyPlan(planOf(create('a'), create('b'), create('c')), {
      journal,
      logger,
      signal: controller.signal,
      apply: async (a) => {
        applied.push(a.target);
        if (a.target === 'a') controller.abort(new InterruptedError('SIGTERM'));
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'InterruptedError', exitCode: 143 });
    expect(applied).toEqual(['a']);
    expect(journal.done.has('create:a')).toBe(true);
    expect(journal.finished).toBe(false);
  });

  it("with onError 'continue', applies the rest and reports a partial run (exit 3)", async () => {
    const journal = new MemoryJournal();
    const run = applyPlan(planOf(create('a'), create('bad'), create('c')), {
      journal,
      logger,
      onError: 'continue',
      apply: async (a) => {
        if (a.target === 'bad') throw new PermanentError('disk says no');
      },
    });
    const error = await run.catch((e) => e);
    expect(error).toBeInstanceOf(PartialError);
    expect(error.exitCode).toBe(3);
    expect(error.failures).toEqual([{ action: 'create:bad', error: 'disk says no' }]);
    expect([...journal.done]).toEqual(['create:a', 'create:c']);
    expect(journal.finished).toBe(false);
  });

  it('stops at a transient failure even when continuing on errors, and keeps its exit code when nothing applied', async () => {
    const journal = new MemoryJournal();
    const applied: string[] = [];
    const run = applyPlan(planOf(create('a'), create('b')), {
      journal,
      logger,
      onError: 'continue',
      apply: async (a) => {
        applied.push(a.target);
        throw new TransientError('registry 503');
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'TransientError', exitCode: 75 });
    expect(applied).toEqual(['a']);
  });

  it("with onError 'stop', a failure after some success is partial", async () => {
    const journal = new MemoryJournal();
    const run = applyPlan(planOf(create('a'), create('b'), create('c')), {
      journal,
      logger,
      apply: async (a) => {
        if (a.target === 'b') throw new PermanentError('nope');
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'PartialError', exitCode: 3 });
    expect(journal.done.has('create:c')).toBe(false);
  });
});

/** A failure the action handled itself: the target is consistent, nothing to resume. */
class HandledError extends PermanentError {
  readonly settled = true as const;
}

describe('applyPlan settled failures', () => {
  it('rethrows a settled failure after applied actions as is, journaled as failed, and archives the journal', async () => {
    const journal = new MemoryJournal();
    const settled = new HandledError('health check failed; switched back');
    const run = applyPlan(planOf(create('a'), create('b'), create('c')), {
      journal,
      logger,
      apply: async (a) => {
        if (a.target === 'b') throw settled;
      },
    });

    await expect(run).rejects.toBe(settled);
    expect(settled.exitCode).toBe(1);
    expect(journal.events).toEqual([
      'begin create:a',
      'complete create:a',
      'begin create:b',
      'fail create:b',
    ]);
    expect(journal.finished).toBe(true);
  });

  it("stops the run even with onError 'continue', holding later phases back", async () => {
    const journal = new MemoryJournal();
    const applied: string[] = [];
    const run = applyPlan(planOf(create('a'), create('b'), del('c')), {
      journal,
      logger,
      onError: 'continue',
      apply: async (a) => {
        if (a.target === 'a') throw new HandledError('handled');
        applied.push(a.target);
      },
    });

    await expect(run).rejects.toBeInstanceOf(HandledError);
    expect(applied).toEqual([]);
    expect(journal.finished).toBe(true);
  });

  it('is not settled when another action failed without settling: partial, journal kept for a resume', async () => {
    const journal = new MemoryJournal();
    const run = applyPlan(planOf(create('a'), create('b'), create('c')), {
      journal,
      logger,
      onError: 'continue',
      apply: async (a) => {
        if (a.target === 'b') throw new PermanentError('plain failure');
        if (a.target === 'c') throw new HandledError('handled');
      },
    });

    await expect(run).rejects.toMatchObject({ name: 'PartialError', exitCode: 3 });
    expect(journal.finished).toBe(false);
  });

  it('recognises any error carrying settled: true, and only those', () => {
    expect(isSettledFailure(new HandledError('x'))).toBe(true);
    expect(isSettledFailure(Object.assign(new Error('x'), { settled: true }))).toBe(true);
    expect(isSettledFailure(new PermanentError('x'))).toBe(false);
    expect(isSettledFailure({ settled: true })).toBe(false);
    expect(isSettledFailure(undefined)).toBe(false);
  });
});

const del = (target: string): PlanAction => ({
  id: `delete:${target}`,
  kind: 'delete',
  target,
  reason: 'gone',
});

describe('applyPlan phases, caps and concurrency', () => {
  it('deletes only after every other action succeeded', async () => {
    const journal = new MemoryJournal();
    const applied: string[] = [];
    const run = applyPlan(planOf(del('old'), create('a'), create('bad')), {
      journal,
      logger,
      onError: 'continue',
      apply: async (a) => {
        if (a.target === 'bad') throw new PermanentError('unreadable');
        applied.push(a.id);
      },
    });
    const error = await run.catch((e) => e);
    expect(error).toBeInstanceOf(PartialError);
    expect(applied).toEqual(['create:a']);
  });

  it("with holdBack 'deletions', later phases still run after a failure; deletions do not", async () => {
    const applied: string[] = [];
    const phased = (action: PlanAction, phase: number): PlanAction => ({ ...action, phase });
    const run = applyPlan(
      planOf(
        phased(create('bad'), 1),
        phased(create('a'), 1),
        phased(del('old'), 2),
        phased({ ...create('attrs'), kind: 'update' }, 3),
      ),
      {
        journal: new MemoryJournal(),
        logger,
        onError: 'continue',
        holdBack: 'deletions',
        apply: async (a) => {
          if (a.target === 'bad') throw new PermanentError('unreadable');
          applied.push(a.id);
        },
      },
    );
    const error = await run.catch((e) => e);
    expect(error).toBeInstanceOf(PartialError);
    expect(applied).toEqual(['create:a', 'create:attrs']);
  });

  it("with holdBack 'deletions', a run whose only action failed is partial, not a failure", async () => {
    const run = applyPlan(planOf(create('bad'), { ...create('same'), kind: 'skip' }), {
      journal: new MemoryJournal(),
      logger,
      onError: 'continue',
      holdBack: 'deletions',
      apply: async () => {
        throw new PermanentError('unreadable');
      },
    });
    const error = await run.catch((e) => e);
    expect(error).toBeInstanceOf(PartialError);
    expect(error.message).toBe('1 of 1 actions failed (first: create:bad: unreadable)');
  });

  it('runs deletions last even when planned first', async () => {
    const order: string[] = [];
    await applyPlan(planOf(del('old'), create('a')), {
      journal: new MemoryJournal(),
      logger,
      apply: async (a) => void order.push(a.id),
    });
    expect(order).toEqual(['create:a', 'delete:old']);
  });

  it('over the deletion cap: copies happen, no deletion does, exit 3 naming the count', async () => {
    const applied: string[] = [];
    const error = await applyPlan(planOf(create('a'), del('x'), del('y'), del('z')), {
      journal: new MemoryJournal(),
      logger,
      maxDelete: 2,
      apply: async (a) => void applied.push(a.id),
    }).catch((e) => e);
    expect(applied).toEqual(['create:a']);
    expect(error).toBeInstanceOf(PartialError);
    expect(error.message).toBe('would delete 3 entries, over the cap of 2; nothing was deleted');
    expect(error.hint).toMatch(/--max-delete to at least 3/);
  });

  it('at the cap exactly, deletes', async () => {
    const result = await applyPlan(planOf(del('x'), del('y')), {
      journal: new MemoryJournal(),
      logger,
      maxDelete: 2,
      apply: async () => {},
    });
    expect(result.applied).toBe(2);
  });

  it('runs up to `concurrency` actions at once, never more', async () => {
    let inFlight = 0;
    let peak = 0;
    const actions = Array.from({ length: 12 }, (_, i) => create(`f${i}`));
    const result = await applyPlan(planOf(...actions), {
      journal: new MemoryJournal(),
      logger,
      concurrency: 4,
      apply: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      },
    });
    expect(result.applied).toBe(12);
    expect(peak).toBe(4);
  });

  it('on abort with actions in flight, starts no new one and returns once those finished', async () => {
    const journal = new MemoryJournal();
    const controller = new AbortController();
    const started: string[] = [];
    const actions = Array.from({ length: 8 }, (_, i) => create(`f${i}`));
    const run = applyPlan(planOf(...actions), {
      journal,
      logger,
      signal: controller.signal,
      concurrency: 3,
      apply: async (a) => {
        started.push(a.target);
        await new Promise((resolve) => setImmediate(resolve));
        if (a.target === 'f1') controller.abort(new InterruptedError('SIGINT'));
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'InterruptedError', exitCode: 130 });
    expect(started).toEqual(['f0', 'f1', 'f2']);
    // each action that started was completed in the journal before applyPlan returned
    expect([...journal.done].sort()).toEqual(['create:f0', 'create:f1', 'create:f2']);
    expect(journal.finished).toBe(false);
  });

  it('a journal that cannot be written ends the run with its own error, not a partial run', async () => {
    const journal = new MemoryJournal();
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    journal.begin = async (id: string) => {
      if (id === 'create:b') throw full;
      journal.events.push(`begin ${id}`);
    };
    const run = applyPlan(planOf(create('a'), create('b'), create('c')), {
      journal,
      logger,
      onError: 'continue',
      apply: async () => {},
    });
    await expect(run).rejects.toBe(full);
    expect(journal.events).toEqual(['begin create:a', 'complete create:a']);
  });

  it('journals only the kinds asked for', async () => {
    const journal = new MemoryJournal();
    await applyPlan(planOf(create('a'), del('b')), {
      journal,
      logger,
      journalKinds: ['delete'],
      apply: async () => {},
    });
    expect(journal.events).toEqual(['begin delete:b', 'complete delete:b']);
  });
});
