import { type Command, runOnce, type Sample } from './measure.js';
import { median, type Summary, summarize } from './statistics.js';

export interface PairResult {
  suite: string;
  name: string;
  subject: { label: string } & Summary;
  reference: { label: string } & Summary;
  /** subject median / reference median: below 1 is faster than the reference. */
  ratio: number;
  /** What the issue asks for, e.g. "<= 2.0" for a ratio ceiling. */
  target?: string;
  met?: boolean;
}

export interface PairOptions {
  runs: number;
  warmup: number;
  /** Ratio ceiling (subject may be at most this many times the reference). */
  maxRatio?: number;
  /** Ratio floor, for throughput-style targets expressed as reference/subject time. */
  minSpeedup?: number;
}

/**
 * Interleaved A B A B ... after a warm-up of each, so drift of the machine (other load, CPU
 * frequency, page cache) lands on both sides alike.
 */
export function runPair(
  suite: string,
  name: string,
  subject: Command,
  reference: Command,
  options: PairOptions,
): PairResult {
  for (let i = 0; i < options.warmup; i++) {
    runOnce(subject);
    runOnce(reference);
  }
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < options.runs; i++) {
    a.push(runOnce(subject));
    b.push(runOnce(reference));
  }
  const rss = (samples: Sample[]) => samples.flatMap((s) => (s.rssKiB === undefined ? [] : [s.rssKiB]));
  const subjectSummary = summarize(
    a.map((s) => s.ms),
    rss(a),
  );
  const referenceSummary = summarize(
    b.map((s) => s.ms),
    rss(b),
  );
  const ratio = Math.round((median(a.map((s) => s.ms)) / median(b.map((s) => s.ms))) * 100) / 100;
  const result: PairResult = {
    suite,
    name,
    subject: { label: subject.label, ...subjectSummary },
    reference: { label: reference.label, ...referenceSummary },
    ratio,
  };
  if (options.maxRatio !== undefined) {
    result.target = `<= ${options.maxRatio.toFixed(2)}x`;
    result.met = ratio <= options.maxRatio;
  }
  return result;
}
