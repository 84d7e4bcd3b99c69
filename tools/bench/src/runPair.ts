import { type Command, runOnce, type Sample } from './measure.js';
import { median, type Summary, summarize } from './statistics.js';

export interface PairResult {
  suite: string;
  name: string;
  subject: { label: string } & Summary;
  reference: { label: string } & Summary;
  /** subject median / reference median: below 1 is faster than the reference. */
  ratio: number;
  /** subject median - reference median, for targets on an overhead in ms rather than a ratio. */
  differenceMs?: number;
  /** For throughput benchmarks (a fixed amount of work per run): units per second at each median. */
  rate?: { unit: string; subject: number; reference: number };
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
  /** Ceiling on subject median - reference median, in ms (an overhead target). */
  maxDifferenceMs?: number;
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
  const result = pairResult(
    suite,
    name,
    { label: subject.label, samples: a },
    { label: reference.label, samples: b },
  );
  if (options.maxRatio !== undefined) {
    result.target = `<= ${options.maxRatio.toFixed(2)}x`;
    result.met = result.ratio <= options.maxRatio;
  }
  if (options.maxDifferenceMs !== undefined) {
    result.differenceMs = round(median(a.map((s) => s.ms)) - median(b.map((s) => s.ms)));
    result.target = `<= +${options.maxDifferenceMs} ms`;
    result.met = result.differenceMs <= options.maxDifferenceMs;
  }
  return result;
}

/** Summaries of both sides and the ratio of their medians, from samples however they were taken. */
export function pairResult(
  suite: string,
  name: string,
  subject: { label: string; samples: Sample[] },
  reference: { label: string; samples: Sample[] },
): PairResult {
  const rss = (samples: Sample[]) => samples.flatMap((s) => (s.rssKiB === undefined ? [] : [s.rssKiB]));
  const ms = (samples: Sample[]) => samples.map((s) => s.ms);
  return {
    suite,
    name,
    subject: { label: subject.label, ...summarize(ms(subject.samples), rss(subject.samples)) },
    reference: { label: reference.label, ...summarize(ms(reference.samples), rss(reference.samples)) },
    ratio: round(median(ms(subject.samples)) / median(ms(reference.samples))),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
