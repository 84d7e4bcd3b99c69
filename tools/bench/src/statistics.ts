export interface Summary {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Peak resident memory of the slowest-to-grow run, in KiB, when /usr/bin/time is there. */
  maxRssKiB?: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(timesMs: number[], rssKiB: number[] = []): Summary {
  return {
    runs: timesMs.length,
    medianMs: round(median(timesMs)),
    minMs: round(Math.min(...timesMs)),
    maxMs: round(Math.max(...timesMs)),
    ...(rssKiB.length > 0 ? { maxRssKiB: Math.max(...rssKiB) } : {}),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
