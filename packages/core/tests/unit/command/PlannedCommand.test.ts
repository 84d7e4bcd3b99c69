import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@oclif/core';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { lockNameFor, PlannedCommand, type RunContext } from '../../../src/command/index.js';
import { DEFAULT_SETTINGS } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import type { Plan, PlanAction, PlanSummary } from '../../../src/plan/index.js';
import { FileStateStore } from '../../../src/state/index.js';

type Details = { path: string };

/** A PlannedCommand whose plan is given, wired to a real state store but not to oclif's parser. */
class Probe extends PlannedCommand<Details> {
  actions: PlanAction<Details>[] = [];
  applied: string[] = [];
  protected target() {
    return '/probe';
  }
  protected async plan() {
    return this.actions;
  }
  protected async applyAction(action: PlanAction<Details>) {
    this.applied.push(action.id);
  }
}

class CustomProbe extends Probe {
  protected override renderPlan(plan: Plan<Details>): string {
    return `custom plan of ${plan.actions.length}`;
  }
  protected override noopSummary(summary: PlanSummary): string {
    return `custom noop, ${summary.skip} skipped`;
  }
}

async function probe<T extends Probe>(
  Kind: new (argv: string[], config: Config) => T,
  flags: Record<string, unknown>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'planned-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const command = new Kind([], { bin: 'probe', scopedEnvVar: () => undefined } as unknown as Config);
  const logger = silentLogger();
  const ctx: RunContext = {
    cli: 'probe',
    command: 'run',
    runId: 'r1',
    environment: { name: 'default', protected: false },
    settings: { ...DEFAULT_SETTINGS, retry: {} },
    section: {},
    configFile: undefined,
    logger,
    counters: new RunCounters(),
    store: new FileStateStore(dir, { logger, runId: 'r1' }),
    stateRoot: dir,
    signal: new AbortController().signal,
    startedAt: new Date(),
  };
  Object.assign(command, { ctx, flags, args: {} });
  return command;
}

function captureStdout(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  return out;
}

const skip: PlanAction<Details> = { id: 'skip:a', kind: 'skip', target: 'a', reason: 'up to date' };
const create: PlanAction<Details> = { id: 'create:b', kind: 'create', target: 'b', reason: 'missing' };

describe('PlannedCommand output hooks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('by default prints the core rendering of the dry-run and of a no-op run', async () => {
    const dry = await probe(Probe, { 'dry-run': true });
    dry.actions = [create, skip];
    const out = captureStdout();
    await dry.run();
    const noop = await probe(Probe, {});
    noop.actions = [skip];
    await noop.run();

    expect(out.join('')).toBe(
      [
        'probe run -> /probe [default]',
        '+ b (missing)',
        'Plan: 1 to create, 0 to update, 0 to delete, 1 unchanged.',
        'No changes: 1 up to date.',
        '',
      ].join('\n'),
    );
  });

  it('renderPlan and noopSummary let a command print its own dry-run and no-op lines', async () => {
    const dry = await probe(CustomProbe, { 'dry-run': true });
    dry.actions = [create, skip];
    const out = captureStdout();
    const result = await dry.run();
    const noop = await probe(CustomProbe, {});
    noop.actions = [skip];
    await noop.run();

    expect(out.join('')).toBe('custom plan of 2\ncustom noop, 1 skipped\n');
    expect(result.plan?.actions).toHaveLength(2);
    expect(dry.applied).toEqual([]);
  });
});

class ConfirmingProbe extends Probe {
  seen: { actions: number; changes: number; appliedBefore: number }[] = [];
  refuse = false;
  protected override async confirmPlan(plan: Plan<Details>, summary: PlanSummary): Promise<void> {
    this.seen.push({
      actions: plan.actions.length,
      changes: summary.changes,
      appliedBefore: this.applied.length,
    });
    if (this.refuse) throw new Error('not confirmed');
  }
}

describe('PlannedCommand confirmPlan hook', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sees the whole plan before the first action is applied', async () => {
    // Prepare
    const command = await probe(ConfirmingProbe, {});
    command.actions = [create, skip];
    captureStdout();
    // Act
    await command.run();
    // Assess
    expect(command.seen).toEqual([{ actions: 2, changes: 1, appliedBefore: 0 }]);
    expect(command.applied).toEqual(['create:b']);
  });

  it('stops the run with nothing applied and no journal left when it throws', async () => {
    const command = await probe(ConfirmingProbe, {});
    command.actions = [create];
    command.refuse = true;
    captureStdout();

    await expect(command.run()).rejects.toThrow('not confirmed');

    expect(command.applied).toEqual([]);
    const journal = await (command as unknown as { ctx: RunContext }).ctx.store.openJournal(
      lockNameFor('/probe'),
    );
    expect(journal.resumed).toBe(false);
  });

  it('is not called on dry-run nor when there is nothing to change', async () => {
    const dry = await probe(ConfirmingProbe, { 'dry-run': true });
    dry.actions = [create];
    const noop = await probe(ConfirmingProbe, {});
    noop.actions = [skip];
    captureStdout();

    await dry.run();
    await noop.run();

    expect(dry.seen).toEqual([]);
    expect(noop.seen).toEqual([]);
  });
});

const storeOf = (command: Probe) => (command as unknown as { ctx: RunContext }).ctx.store;

class HookedProbe extends Probe {
  events: string[] = [];
  refuse = false;
  lockCount = 2;
  protected override target() {
    this.events.push('target');
    return '/probe';
  }
  protected override async preflight(): Promise<void> {
    this.events.push('preflight');
    if (this.refuse) throw new Error('bad input');
  }
  protected override async acquireExtraLocks() {
    const runLock = await this.ctx.store.inspectLock(lockNameFor('/probe'));
    this.events.push(`extra locks (run lock held: ${runLock !== undefined})`);
    return Array.from({ length: this.lockCount }, (_, i) => ({
      release: async () => {
        const held = await this.ctx.store.inspectLock(lockNameFor('/probe'));
        this.events.push(`release ${i} (run lock held: ${held !== undefined})`);
      },
    }));
  }
  protected override async plan() {
    this.events.push('plan');
    return this.actions;
  }
  protected override async applyAction(action: PlanAction<Details>) {
    this.events.push(`apply ${action.id}`);
    if (action.id === 'create:fail') throw new Error('apply failed');
  }
  protected override resultExtras() {
    return { operation: 'probe-op' };
  }
}

describe('PlannedCommand preflight, acquireExtraLocks and resultExtras hooks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs preflight first, takes extra locks under the run lock before planning, releases them LIFO', async () => {
    const command = await probe(HookedProbe, {});
    command.actions = [create];
    captureStdout();

    const result = await command.run();

    expect(command.events).toEqual([
      'preflight',
      'target',
      'extra locks (run lock held: true)',
      'plan',
      'apply create:b',
      'release 1 (run lock held: true)',
      'release 0 (run lock held: true)',
    ]);
    expect(result).toMatchObject({ dryRun: false, operation: 'probe-op' });
    expect(await storeOf(command).inspectLock(lockNameFor('/probe'))).toBeUndefined();
  });

  it('releases the extra locks, then the run lock, when the run fails', async () => {
    const command = await probe(HookedProbe, {});
    command.actions = [{ ...create, id: 'create:fail' }];
    captureStdout();

    await expect(command.run()).rejects.toThrow('apply failed');

    expect(command.events.slice(-2)).toEqual([
      'release 1 (run lock held: true)',
      'release 0 (run lock held: true)',
    ]);
    expect(await storeOf(command).inspectLock(lockNameFor('/probe'))).toBeUndefined();
  });

  it('a failing preflight stops the run before the target, the lock or the plan, also on dry-run', async () => {
    for (const flags of [{}, { 'dry-run': true }]) {
      const command = await probe(HookedProbe, flags);
      command.actions = [create];
      command.refuse = true;
      captureStdout();

      await expect(command.run()).rejects.toThrow('bad input');

      expect(command.events).toEqual(['preflight']);
    }
  });

  it('on dry-run runs preflight, takes no extra lock and still merges the result extras', async () => {
    const command = await probe(HookedProbe, { 'dry-run': true });
    command.actions = [create];
    captureStdout();

    const result = await command.run();

    expect(command.events).toEqual(['preflight', 'target', 'plan']);
    expect(result).toMatchObject({ dryRun: true, operation: 'probe-op' });
  });

  it('by default checks nothing, takes no extra lock and adds nothing to the result', async () => {
    const command = await probe(Probe, {});
    command.actions = [create];
    captureStdout();

    const result = await command.run();

    expect(Object.keys(result).sort()).toEqual(['applied', 'dryRun', 'summary', 'target']);
  });
});
