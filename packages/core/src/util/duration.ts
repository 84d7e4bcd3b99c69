import { UsageError } from '../errors/index.js';

const UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/;

/**
 * Parses `250ms`, `30s`, `5m`, `2h`, `7d`, `1w` or a bare number of milliseconds.
 * Throws a UsageError naming `what` so flag and config errors read the same.
 */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UsageError(`${what}: expected a non-negative duration, got ${input}`);
  }
  const match = DURATION.exec(input.trim());
  if (!match) {
    throw new UsageError(`${what}: expected a duration like 30s, 5m, 2h or 7d, got "${input}"`);
  }
  const unit = (match[2] ?? 'ms') as keyof typeof UNITS_MS;
  return Math.round(Number(match[1]) * UNITS_MS[unit]);
}

/** How long something took, to two significant places: `12ms`, `1.23s`, `12.3s`, `1m5s`, `1h2m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}

/** How old something is, coarse: `20d`, `5h`, `12m`, `40s`, the largest unit that fits, whole; negative ages (clock skew) read `0s`. */
export function formatAge(ms: number): string {
  const value = Math.max(0, ms);
  if (value >= UNITS_MS.d) return `${Math.floor(value / UNITS_MS.d)}d`;
  if (value >= UNITS_MS.h) return `${Math.floor(value / UNITS_MS.h)}h`;
  if (value >= UNITS_MS.m) return `${Math.floor(value / UNITS_MS.m)}m`;
  return `${Math.floor(value / UNITS_MS.s)}s`;
}
