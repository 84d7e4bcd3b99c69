import { describe, expect, it } from 'vitest';
import {
  computeStats,
  failureShape,
  percentile,
  renderPrometheus,
  renderStatsHuman,
} from '../../../src/metrics/index.js';
import type { RunRecord } from '../../../src/state/index.js';

function run(partial: Partial<RunRecord>): RunRecord {
  return {
    runId: 'r',
    cli: 'deploy',
    command: 'release',
    environment: 'prod',
    status: 'success',
    exitCode: 0,
    startedAt: '2026-11-20T00:00:00.000Z',
    finishedAt: '2026-11-20T00:00:01.000Z',
    durationMs: 1000,
    counts: {},
    retries: 0,
    ...partial,
  };
}

describe('percentile', () => {
  it('uses nearest rank', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(sorted, 95)).toBe(19);
    expect(percentile(sorted, 50)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('computeStats', () => {
  const runs = [
    run({ durationMs: 100, retries: 1 }),
    run({ durationMs: 300 }),
    run({ status: 'dry-run', durationMs: 50 }),
    run({
      status: 'temporary',
      exitCode: 75,
      durationMs: 900,
      retries: 4,
      failure: { code: 'E_TRANSIENT', message: '503' },
    }),
    run({
      status: 'temporary',
      exitCode: 75,
      durationMs: 800,
      retries: 4,
      failure: { code: 'E_TRANSIENT', message: '503' },
    }),
    run({
      status: 'failure',
      exitCode: 1,
      durationMs: 200,
      failure: { code: 'E_PERMANENT', message: '401' },
    }),
    run({ environment: 'staging', durationMs: 10 }),
    run({ environment: 'staging', startedAt: '2026-10-01T00:00:00.000Z', durationMs: 99999 }),
  ];

  it('aggregates per environment over the window', () => {
    const stats = computeStats(runs, { since: new Date('2026-11-01T00:00:00Z') });
    expect(stats.map((s) => s.environment)).toEqual(['prod', 'staging']);
    const prod = stats[0]!;
    expect(prod.runs).toBe(6);
    expect(prod.succeeded).toBe(3);
    expect(prod.successRate).toBeCloseTo(0.5);
    expect(prod.meanMs).toBe(Math.round((100 + 300 + 50 + 900 + 800 + 200) / 6));
    expect(prod.p95Ms).toBe(900);
    expect(prod.retries).toBe(9);
    expect(prod.byStatus).toEqual({ success: 2, 'dry-run': 1, temporary: 2, failure: 1 });
    expect(prod.topFailures).toEqual([
      { reason: 'E_TRANSIENT: 503', count: 2 },
      { reason: 'E_PERMANENT: 401', count: 1 },
    ]);
    expect(stats[1]!.runs).toBe(1);
  });

  it('renders a readable summary', () => {
    const text = renderStatsHuman(computeStats(runs, { since: new Date('2026-11-01T00:00:00Z') }), '7d');
    expect(text).toContain('prod: 6 runs, 50.0% ok, mean 392ms, p95 900ms, 9 retries');
    expect(text).toContain('  2x E_TRANSIENT: 503');
    expect(renderStatsHuman([], '7d')).toBe('No runs recorded in the last 7d.');
  });
});

describe('renderPrometheus', () => {
  it('writes gauges with cli/command/environment labels, escaped', () => {
    const text = renderPrometheus(run({ environment: 'pr"od', counts: { actions_create: 2 }, retries: 3 }));
    expect(text).toContain('tempered_run_success{cli="deploy",command="release",environment="pr\\"od"} 1');
    // issue 16: counters carry `_total` and the action kind without its `actions_` prefix
    expect(text).toContain(
      'tempered_run_retries_total{cli="deploy",command="release",environment="pr\\"od"} 3',
    );
    expect(text).toContain(
      'tempered_run_actions_total{cli="deploy",command="release",environment="pr\\"od",kind="create"} 2',
    );
    expect(text).toContain(
      'tempered_run_duration_seconds{cli="deploy",command="release",environment="pr\\"od"} 1.000',
    );
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('failureShape', () => {
  it('groups one failure seen on different runs as one reason', () => {
    const a = 'lock held by pid 41 (run 20261128T131500Z-a1b2c3 since 2026-11-28T13:15:00.000Z)';
    const b = 'lock held by pid 97 (run 20261128T141500Z-ffee00 since 2026-11-28T14:15:00.123Z)';
    expect(failureShape(a)).toBe(failureShape(b));
    expect(failureShape(a)).toBe('lock held by <pid> (run <run> since <time>)'.replace('<pid>', 'pid <n>'));
    const stats = computeStats([
      run({ status: 'temporary', exitCode: 75, failure: { code: 'E_LOCK_HELD', message: a } }),
      run({ status: 'temporary', exitCode: 75, failure: { code: 'E_LOCK_HELD', message: b } }),
    ]);
    expect(stats[0]!.topFailures).toEqual([{ reason: `E_LOCK_HELD: ${failureShape(a)}`, count: 2 }]);
  });
});
