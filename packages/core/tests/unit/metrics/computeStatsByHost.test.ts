import { describe, expect, it } from 'vitest';
import { computeStats, renderStatsHuman } from '../../../src/metrics/index.js';
import type { RunRecord } from '../../../src/state/index.js';

const run = (partial: Partial<RunRecord>): RunRecord => ({
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
});

describe('computeStats by host', () => {
  const runs = [
    run({ host: 'b', status: 'failure', failure: { code: 'E_X', message: 'boom' } }),
    run({ host: 'a' }),
    run({ host: 'a', environment: 'staging' }),
    run({}),
  ];

  it('groups by environment, then host (records without one under "unknown")', () => {
    const stats = computeStats(runs, { byHost: true });
    expect(stats.map((s) => [s.environment, s.host, s.runs, s.succeeded])).toEqual([
      ['prod', 'a', 1, 1],
      ['prod', 'b', 1, 0],
      ['prod', 'unknown', 1, 1],
      ['staging', 'a', 1, 1],
    ]);
    expect(renderStatsHuman(stats, '7d')).toMatch(/^prod on a: 1 runs, 100\.0% ok/);
  });

  it('without it, one group per environment and no host', () => {
    const stats = computeStats(runs);
    expect(stats.map((s) => [s.environment, s.host, s.runs])).toEqual([
      ['prod', undefined, 3],
      ['staging', undefined, 1],
    ]);
  });
});
