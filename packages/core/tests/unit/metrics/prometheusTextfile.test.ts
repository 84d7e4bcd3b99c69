import { describe, expect, it } from 'vitest';
import {
  counterMetric,
  LABEL_NAME_PATTERN,
  METRIC_NAME_PATTERN,
  metricsFileName,
  renderPrometheus,
} from '../../../src/metrics/index.js';
import type { RunRecord } from '../../../src/state/index.js';

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: '20260101T000000Z-abcdef',
    cli: 'file-sync',
    command: 'sync',
    environment: 'prod',
    status: 'success',
    exitCode: 0,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.500Z',
    durationMs: 2500,
    counts: { actions_create: 3, actions_delete: 1, bytes_copied: 4096, retries: 2, entries_scanned: 10 },
    retries: 2,
    host: 'h',
    pid: 1,
    ...overrides,
  };
}

/** name -> [type, samples] as a Prometheus parser would read the file. */
function parse(text: string) {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? types : helps).set(meta[2] as string, meta[3] as string);
      continue;
    }
    const sample = /^(\S+?)\{(.*)\} (\S+)$/.exec(line);
    expect(sample, line).not.toBeNull();
    const [, name = '', body = '', value = ''] = sample as RegExpExecArray;
    const labels: Record<string, string> = {};
    for (const [, key = '', val = ''] of body.matchAll(/([^=,]+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = val;
    samples.push({ name, labels, value: Number(value) });
  }
  return { types, helps, samples };
}

describe('metricsFileName', () => {
  it('is one file per CLI, command and environment; `default` adds nothing', () => {
    expect(metricsFileName('file-sync', 'sync', 'default')).toBe('tempered_file_sync_sync.prom');
    expect(metricsFileName('file-sync', 'sync', 'prod')).toBe('tempered_file_sync_sync_prod.prom');
    expect(metricsFileName('resource-cleanup', 'run', 'eu.west-1')).toBe(
      'tempered_resource_cleanup_run_eu_west_1.prom',
    );
    expect(metricsFileName('tempered-demo', 'apply', 'default')).toBe('tempered_demo_apply.prom');
    expect(metricsFileName('deploy', 'image:prune', 'default')).toBe('tempered_deploy_image_prune.prom');
  });

  it('never names a file outside the directory', () => {
    expect(metricsFileName('../x', 'a/b', '..')).toBe('tempered____x_a_b___.prom');
  });
});

describe('counterMetric', () => {
  it('gives each quantity one unit: actions by kind, bytes, plain counts', () => {
    expect(counterMetric('actions_create')).toEqual({
      name: 'tempered_run_actions_total',
      label: ['kind', 'create'],
    });
    expect(counterMetric('actions_failed')).toEqual({ name: 'tempered_run_actions_failed_total' });
    expect(counterMetric('bytes_copied')).toEqual({ name: 'tempered_run_copied_bytes_total' });
    expect(counterMetric('retries')).toEqual({ name: 'tempered_run_retries_total' });
    expect(counterMetric('http-requests')).toEqual({ name: 'tempered_run_http_requests_total' });
  });
});

describe('renderPrometheus', () => {
  it('follows the exposition rules and naming conventions: HELP and TYPE once, units as suffixes', () => {
    const { types, helps, samples } = parse(renderPrometheus(record()));
    for (const { name, labels } of samples) {
      expect(name).toMatch(METRIC_NAME_PATTERN);
      expect(name.startsWith('tempered_')).toBe(true);
      for (const key of Object.keys(labels)) expect(key).toMatch(LABEL_NAME_PATTERN);
      expect(types.has(name), name).toBe(true);
      expect(helps.get(name), name).toBeTruthy();
    }
    for (const [name, type] of types) {
      // counters and only counters end in _total; a unit is never in the middle of a gauge name
      expect(name.endsWith('_total'), name).toBe(type === 'counter');
      expect(name).not.toMatch(/_(ms|milliseconds|kb|mb|minutes)(_|$)/);
    }
    expect([...types.keys()]).toEqual([
      'tempered_run_success',
      'tempered_run_exit_code',
      'tempered_run_duration_seconds',
      'tempered_run_finished_timestamp_seconds',
      'tempered_run_last_success_timestamp_seconds',
      'tempered_runs_total',
      'tempered_run_retries_total',
      'tempered_run_actions_total',
      'tempered_run_copied_bytes_total',
      'tempered_run_entries_scanned_total',
    ]);
    const value = (name: string, extra: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value('tempered_run_duration_seconds')).toBe(2.5);
    expect(value('tempered_run_copied_bytes_total')).toBe(4096);
    expect(value('tempered_run_actions_total', { kind: 'delete' })).toBe(1);
    expect(value('tempered_runs_total', { status: 'success' })).toBe(1);
    expect(samples[0]?.labels).toEqual({ cli: 'file-sync', command: 'sync', environment: 'prod' });
  });

  it('adds this run to the counters the job file already held; gauges are the last run', () => {
    const first = renderPrometheus(record());
    const second = renderPrometheus(
      record({
        status: 'failure',
        exitCode: 1,
        finishedAt: '2026-01-02T00:00:00.000Z',
        counts: { actions_create: 1, retries: 0 },
      }),
      first,
    );
    const { samples } = parse(second);
    const value = (name: string, extra: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value('tempered_run_success')).toBe(0);
    expect(value('tempered_runs_total', { status: 'success' })).toBe(1);
    expect(value('tempered_runs_total', { status: 'failure' })).toBe(1);
    expect(value('tempered_run_actions_total', { kind: 'create' })).toBe(4);
    expect(value('tempered_run_actions_total', { kind: 'delete' })).toBe(1);
    expect(value('tempered_run_copied_bytes_total')).toBe(4096);
    // the last success is still the first run's
    expect(value('tempered_run_last_success_timestamp_seconds')).toBe(
      Date.parse('2026-01-01T00:00:02.500Z') / 1000,
    );
  });

  it("ignores another job's series and garbage in the previous file", () => {
    const other = renderPrometheus(record({ environment: 'staging' }));
    const { samples } = parse(
      renderPrometheus(record(), `${other}junk line\ntempered_runs_total{cli="file-sync"} NaN\n`),
    );
    expect(samples.every((s) => s.labels.environment === 'prod')).toBe(true);
    expect(samples.find((s) => s.name === 'tempered_runs_total')?.value).toBe(1);
  });

  it('escapes label values', () => {
    const text = renderPrometheus(record({ environment: 'a"b\\c\nd' }));
    expect(text).toContain('environment="a\\"b\\\\c\\nd"');
  });
});
