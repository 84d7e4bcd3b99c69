/**
 * Crash tests (issue #7): run a CLI, kill it at a chosen point (the Nth matching JSON log line, or
 * after N ms), then run it again to completion, and hand back both results so the test can check
 * what the crash left and that the re-run reaches the same end state as a clean run.
 */
import type { CliProcess, CliResult } from './CliProcess.js';
import { type LogLine, type LogMatch, matchesLog } from './logLines.js';

/** Where to kill: at the `nth` log line matching `at` (1-based), or `afterMs` after the start. */
export type KillPoint =
  | { at: LogMatch; nth: number; signal?: NodeJS.Signals; label?: string }
  | { afterMs: number; signal?: NodeJS.Signals; label?: string };

/** Something that starts the CLI: a `Workspace`, or any wrapper with the same `start`. */
export interface CrashRunner {
  start(args: string[]): CliProcess;
}

export interface CrashOptions {
  /** The re-run's arguments; default the same as the crashed run's. */
  rerunArgs?: string[];
  /** Called after the crashed run has exited and before the re-run: inspect what the crash left. */
  afterCrash?: (crashed: CrashedRun) => Promise<void> | void;
  /** Give up on the crashed run (kill it, fail) after this long; default 60 s. */
  timeoutMs?: number;
}

export interface CrashedRun {
  point: KillPoint;
  /** The killed run's result (when the kill came too late: a normal exit). */
  result: CliResult;
  /** The signal was sent while the process still ran. */
  signalled: boolean;
  /** The run did not finish on its own: it died of the signal, or exited 130/143 on it. */
  interrupted: boolean;
  /** Log lines received before the kill was sent. */
  linesBeforeKill: number;
  /** Every JSON log line of the killed run (lenient: a line cut off by the kill is skipped). */
  lines: LogLine[];
}

export interface CrashRun extends CrashedRun {
  /** The re-run to completion. */
  rerun: CliResult;
}

/** A short name for a kill point, for test titles. */
export function describeKillPoint(point: KillPoint): string {
  if (point.label) return point.label;
  if ('afterMs' in point) return `${point.signal ?? 'SIGKILL'} after ${point.afterMs} ms`;
  const what = typeof point.at === 'string' ? `'${point.at}'` : 'matching log line';
  return `${point.signal ?? 'SIGKILL'} at ${what} #${point.nth}`;
}

/**
 * Kill points spread over a run: `lines` are the Nth-line points (`at` with each `nth`), `afterMs`
 * the timed ones; every point gets `signal` (default SIGKILL).
 */
export function crashMatrix(spec: {
  at?: LogMatch;
  nth?: readonly number[];
  afterMs?: readonly number[];
  signal?: NodeJS.Signals;
  label?: string;
}): KillPoint[] {
  const signal = spec.signal ?? 'SIGKILL';
  const out: KillPoint[] = [];
  if (spec.at !== undefined) {
    for (const nth of spec.nth ?? []) {
      const at = spec.at;
      const base: KillPoint = { at, nth, signal };
      out.push(spec.label ? { ...base, label: `${spec.label} #${nth}` } : base);
    }
  }
  for (const afterMs of spec.afterMs ?? []) out.push({ afterMs, signal });
  return out;
}

/** `count` integers spread evenly over `from..to` (both included), e.g. kill points over a run. */
export function spread(from: number, to: number, count: number): number[] {
  if (count <= 1) return [from];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(from + ((to - from) * i) / (count - 1)));
  return [...out];
}

/** Starts the CLI, kills it at `point`, waits for it to exit; never throws for a late kill. */
export async function crashOnce(
  runner: CrashRunner,
  args: string[],
  point: KillPoint,
  timeoutMs = 60_000,
): Promise<CrashedRun> {
  const signal = point.signal ?? 'SIGKILL';
  const cli = runner.start(args);
  let seen = 0;
  let linesBeforeKill = -1;
  let signalled = false;
  const fire = () => {
    if (linesBeforeKill >= 0) return;
    linesBeforeKill = cli.lines.length;
    if (!cli.running) return;
    try {
      cli.kill(signal);
      signalled = true;
    } catch {
      // exited between the check and the kill: a late kill, not an error
    }
  };
  const exited = cli.exit.then(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let guard: NodeJS.Timeout | undefined;
  const trigger =
    'afterMs' in point
      ? new Promise<void>((resolve) => {
          timer = setTimeout(resolve, point.afterMs);
        })
      : cli
          .waitForLog((line: LogLine) => matchesLog(line, point.at) && ++seen === point.nth, timeoutMs)
          .then(
            () => undefined,
            () => undefined, // exited first (a late kill), or the timeout guard below acts
          );
  await Promise.race([trigger, exited]);
  if (timer) clearTimeout(timer);
  fire();
  const result = await Promise.race([
    cli.exit,
    new Promise<never>((_, reject) => {
      guard = setTimeout(() => {
        void cli.stop();
        reject(new Error(`the crashed run did not exit within ${timeoutMs} ms\n${cli.stderr}`));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(guard));
  const interrupted = result.signal !== null || (signalled && (result.code === 130 || result.code === 143));
  return { point, result, signalled, interrupted, linesBeforeKill, lines: [...cli.lines] };
}

/**
 * One crash test: start `args`, kill at `point`, let `afterCrash` inspect what was left, then run
 * `rerunArgs` (default `args`) to completion. Compare the end state with a clean run's in the test.
 */
export async function crashAt(
  runner: CrashRunner,
  args: string[],
  point: KillPoint,
  options: CrashOptions = {},
): Promise<CrashRun> {
  const crashed = await crashOnce(runner, args, point, options.timeoutMs);
  await options.afterCrash?.(crashed);
  const rerun = await runner.start(options.rerunArgs ?? args).exit;
  return { ...crashed, rerun };
}
