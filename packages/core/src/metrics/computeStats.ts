import type { RunRecord } from '../state/index.js';
import { formatDuration } from '../util/duration.js';

export interface EnvironmentStats {
  environment: string;
  /** With `byHost`: the host the runs were recorded on ('unknown' for records without one). */
  host?: string;
  runs: number;
  succeeded: number;
  /** 0..1; dry-runs and no-ops count as successes: they did what was asked. */
  successRate: number;
  meanMs: number;
  p95Ms: number;
  retries: number;
  byStatus: Record<string, number>;
  topFailures: { reason: string; count: number }[];
  lastRun?: { runId: string; status: string; finishedAt: string };
}

const SUCCESS = new Set(['success', 'noop', 'dry-run']);

/** Nearest-rank percentile: stable on small samples, which is what a week of cron runs is. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function computeStats(
  runs: RunRecord[],
  options: { since?: Date; top?: number; byHost?: boolean } = {},
): EnvironmentStats[] {
  const since = options.since?.getTime() ?? 0;
  const groups = new Map<string, { environment: string; host?: string; runs: RunRecord[] }>();
  for (const run of runs) {
    if (Date.parse(run.startedAt) < since) continue;
    const host = options.byHost ? (run.host ?? UNKNOWN_HOST) : undefined;
    // NUL cannot occur in an environment name or a host name
    const key = host === undefined ? run.environment : `${run.environment}\0${host}`;
    const group = groups.get(key) ?? {
      environment: run.environment,
      ...(host === undefined ? {} : { host }),
      runs: [],
    };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => a.environment.localeCompare(b.environment) || (a.host ?? '').localeCompare(b.host ?? ''))
    .map((group) => ({
      ...environmentStats(group.environment, group.runs, options.top ?? 5),
      ...(group.host === undefined ? {} : { host: group.host }),
    }));
}

/** The host of run records written before records named one. */
export const UNKNOWN_HOST = 'unknown';

function environmentStats(environment: string, runs: RunRecord[], top: number): EnvironmentStats {
  const durations = runs.map((r) => r.durationMs).sort((a, b) => a - b);
  const succeeded = runs.filter((r) => SUCCESS.has(r.status)).length;
  const byStatus: Record<string, number> = {};
  const failures = new Map<string, number>();
  for (const run of runs) {
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    if (run.failure) {
      const reason = `${run.failure.code}: ${failureShape(run.failure.message)}`.slice(0, 160);
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
  }
  const last = [...runs].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
  return {
    environment,
    runs: runs.length,
    succeeded,
    successRate: runs.length === 0 ? 0 : succeeded / runs.length,
    meanMs: durations.length === 0 ? 0 : Math.round(durations.reduce((a, b) => a + b, 0) / durations.length),
    p95Ms: percentile(durations, 95),
    retries: runs.reduce((sum, r) => sum + (r.retries ?? 0), 0),
    byStatus,
    topFailures: [...failures.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, top)
      .map(([reason, count]) => ({ reason, count })),
    ...(last ? { lastRun: { runId: last.runId, status: last.status, finishedAt: last.finishedAt } } : {}),
  };
}

/**
 * The same failure on different runs differs only in run ids, pids, temp names and timestamps;
 * masking them lets "lock held by pid 41" and "lock held by pid 97" count as one reason.
 */
export function failureShape(message: string): string {
  return message
    .replace(/\b\d{8}T\d{6}Z-[0-9a-f]{6}\b/g, '<run>')
    .replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z\b/g, '<time>')
    .replace(/\.tmp-\d+-[0-9a-f]+/g, '.tmp-<n>')
    .replace(/\bpid \d+/g, 'pid <n>');
}

export function renderStatsHuman(stats: EnvironmentStats[], sinceLabel: string): string {
  if (stats.length === 0) return `No runs recorded in the last ${sinceLabel}.`;
  const lines: string[] = [];
  for (const s of stats) {
    lines.push(
      `${s.environment}${s.host === undefined ? '' : ` on ${s.host}`}: ${s.runs} runs, ${(s.successRate * 100).toFixed(1)}% ok, mean ${formatDuration(s.meanMs)}, p95 ${formatDuration(s.p95Ms)}, ${s.retries} retries`,
    );
    for (const f of s.topFailures) lines.push(`  ${f.count}x ${f.reason}`);
  }
  return lines.join('\n');
}
