const DAY = 86_400_000;

/** `20d`, `5h`, `12m`, `40s`: the largest unit that fits, whole; negative ages (clock skew) read `0s`. */
export function formatAge(ms: number): string {
  const value = Math.max(0, ms);
  if (value >= DAY) return `${Math.floor(value / DAY)}d`;
  if (value >= 3_600_000) return `${Math.floor(value / 3_600_000)}h`;
  if (value >= 60_000) return `${Math.floor(value / 60_000)}m`;
  return `${Math.floor(value / 1000)}s`;
}

/** `sha256:0123456789ab`: enough of a digest to tell images apart in a plan. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest.slice(0, 19) : `${algorithm}:${hex.slice(0, 12)}`;
}

/** `YYYYMMDDTHHMMSSZ`, sortable, safe in a file name. */
export function compactStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function parseCompactStamp(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
