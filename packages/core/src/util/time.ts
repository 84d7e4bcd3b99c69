const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * `20260101T120000Z` (or `20260101T120000123Z` to the millisecond): UTC, fixed width, so names
 * sort by time; safe in a file name. The one stamp of run ids, release ids, state file names and
 * trash batches.
 */
export function compactTimestamp(date: Date, precision: 'seconds' | 'milliseconds' = 'seconds'): string {
  const iso = date.toISOString();
  return (precision === 'seconds' ? iso.replace(/\.\d+Z$/, 'Z') : iso).replace(/[-:.]/g, '');
}

/** The time of a `20260101T120000Z` stamp, in ms since the epoch; undefined for anything else. */
export function parseCompactTimestamp(stamp: string): number | undefined {
  const m = COMPACT.exec(stamp);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
