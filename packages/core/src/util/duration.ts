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

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}
