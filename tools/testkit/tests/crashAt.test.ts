import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  crashAt,
  crashMatrix,
  describeKillPoint,
  messages,
  spread,
  tempWorkspace,
  type Workspace,
} from '../src/index.js';

const STEPS = fileURLToPath(new URL('./fixtures/steps.mjs', import.meta.url));

const stepsWorkspace = (): Promise<Workspace> =>
  tempWorkspace({ prefix: 'testkit-crash-', cli: { bin: STEPS, name: 'steps' } });

const written = async (ws: Workspace): Promise<string[]> =>
  (await readFile(ws.path('steps.txt'), 'utf8')).split('\n').filter(Boolean);

const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('crashAt', () => {
  it('SIGKILLs at the Nth matching log line, lets the test look, then re-runs to completion', async () => {
    const ws = await stepsWorkspace();
    const args = [ws.path('steps.txt'), '8', '3'];
    let leftBehind: string[] = [];

    const run = await crashAt(
      ws,
      args,
      { at: 'step', nth: 3 },
      {
        rerunArgs: [ws.path('steps.txt'), '8', '0'],
        afterCrash: async () => {
          leftBehind = await written(ws);
        },
      },
    );

    expect(run.signalled).toBe(true);
    expect(run.interrupted).toBe(true);
    expect(run.result.signal).toBe('SIGKILL');
    expect(run.linesBeforeKill).toBeGreaterThanOrEqual(3);
    expect(messages(run.result).filter((msg) => msg === 'step')).toHaveLength(3);
    expect(leftBehind).toEqual(numbers(1, 3));
    expect(run.rerun.code, run.rerun.stderr).toBe(0);
    expect(run.rerun.logs.map((line) => line.step).filter(Boolean)).toEqual([4, 5, 6, 7, 8]);
    expect(await written(ws)).toEqual(numbers(1, 8));
  });

  it('counts only matching lines: the Nth of a predicate', async () => {
    const ws = await stepsWorkspace();
    const args = [ws.path('steps.txt'), '6', '4'];

    const run = await crashAt(ws, args, { at: (line) => line.step === 4, nth: 1 });

    expect(run.interrupted).toBe(true);
    expect(run.result.logs.map((line) => line.step).filter(Boolean)).toEqual([1, 2, 3, 4]);
    // the re-run has PAUSE_AT 4 too, but resumes after it
    expect(run.rerun.code).toBe(0);
    expect(await written(ws)).toEqual(numbers(1, 6));
  });

  it('kills after N ms', async () => {
    const ws = await stepsWorkspace();
    const args = [ws.path('steps.txt'), '5', '2'];

    const run = await crashAt(ws, args, { afterMs: 30 }, { rerunArgs: [ws.path('steps.txt'), '5', '0'] });

    expect(run.signalled).toBe(true);
    expect(run.result.signal).toBe('SIGKILL');
    expect(run.rerun.code).toBe(0);
    expect(await written(ws)).toEqual(numbers(1, 5));
  });

  it('sends SIGTERM when asked: a CLI that handles it exits 143, still interrupted', async () => {
    const ws = await stepsWorkspace();
    const args = [ws.path('steps.txt'), '4', '1'];

    const run = await crashAt(
      ws,
      args,
      { at: 'paused', nth: 1, signal: 'SIGTERM' },
      {
        rerunArgs: [ws.path('steps.txt'), '4', '0'],
      },
    );

    expect(run.result.code).toBe(143);
    expect(run.result.signal).toBeNull();
    expect(run.interrupted).toBe(true);
    expect(messages(run.result)).toContain('stopping');
    expect(await written(ws)).toEqual(numbers(1, 4));
  });

  it('reports a kill point the run never reached as a run that finished on its own', async () => {
    const ws = await stepsWorkspace();
    const args = [ws.path('steps.txt'), '3', '0'];

    const run = await crashAt(ws, args, { at: 'step', nth: 99 });

    expect(run.signalled).toBe(false);
    expect(run.interrupted).toBe(false);
    expect(run.result.code).toBe(0);
    expect(run.rerun.code).toBe(0);
    expect(messages(run.rerun)).toEqual(['done']);
  });
});

describe('crashMatrix', () => {
  it('makes one kill point per line number and per delay, SIGKILL by default', () => {
    const points = crashMatrix({ at: 'action applied', nth: [1, 5], afterMs: [40] });

    expect(points).toEqual([
      { at: 'action applied', nth: 1, signal: 'SIGKILL' },
      { at: 'action applied', nth: 5, signal: 'SIGKILL' },
      { afterMs: 40, signal: 'SIGKILL' },
    ]);
    expect(points.map(describeKillPoint)).toEqual([
      "SIGKILL at 'action applied' #1",
      "SIGKILL at 'action applied' #5",
      'SIGKILL after 40 ms',
    ]);
  });

  it('spreads kill points evenly over a range, ends included', () => {
    expect(spread(1, 40, 4)).toEqual([1, 14, 27, 40]);
    expect(spread(1, 5, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(spread(3, 9, 1)).toEqual([3]);
  });
});
